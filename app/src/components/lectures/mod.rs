//! The lectures panel beside the maps: the ideas an autoencoder lecture teaches beyond the map
//! itself, each live on the current models — who is most similar (by code and by pixels), latent
//! traversals, the VAE's posterior, completion, super-resolution, compression and a linear probe.
//! One tab at a time; the panel sends its request to the view, which answers again as the model trains.

mod compression;
mod neighbours;
mod posterior;
mod probe;
mod repair;
mod traverse;

use leptos::prelude::*;

use super::{PerModel, paint_grid};
use crate::protocol::view::LectureResult;
use crate::state::{AppState, Item};

/// The panel.
#[component]
pub fn LecturesPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let l = state.lectures;
    // Every change of the panel's settings, the clicked point or the drawing is a new request (a
    // decode of the same point, or the drawing's new reconstructions, are not).
    let point = Memo::new(move |_| state.lecture_index());
    let drawing = Memo::new(move |_| {
        state.explore.drawing.with(|d| d.as_ref().map(|d| std::sync::Arc::as_ptr(&d.image) as usize))
    });
    Effect::new(move |_| {
        drawing.track();
        let request = state.lecture_request(point.get());
        l.answer.set(None);
        state.send_lecture(request);
    });
    on_cleanup(move || state.send_lecture(None));
    let tab = move |item: Item| {
        view! {
            <button role="tab" data-testid=format!("lecture-tab-{}", item.id())
                aria-selected=move || (l.item.get() == item).to_string()
                on:click=move |_| l.item.set(item)>{item.label()}</button>
        }
    };
    let has_drawing = move || state.explore.drawing.with(Option::is_some);
    let about = move || {
        if l.use_drawing.get() {
            return "your drawing".to_string();
        }
        let i = state.lecture_index();
        let label = state.explore.labels.with(|ls| ls.get(i).copied());
        let names = state.settings.dataset.get().class_names();
        match label {
            Some(c) => format!("test image #{i} ({})", names[usize::from(c) % 10]),
            None => format!("test image #{i}"),
        }
    };
    let per_image = move || !matches!(l.item.get(), Item::Compression | Item::Probe);
    let width = PerModel(state).width();
    // Beside the maps, no taller than they are (it scrolls inside); under them, as tall as it needs.
    let height = move || {
        let fit = state.screen.fit(state.mode().maps());
        if fit.beside { format!("{}px", fit.height()) } else { String::new() }
    };
    view! {
        <section class="panel decode lectures" aria-label="Lectures" style:width=width style:max-height=height
            style:box-sizing="border-box" data-testid="lectures">
            <h2>"Lectures"</h2>
            <div class="tabs" role="tablist" aria-label="Lecture topics">
                {Item::ALL.map(tab).collect_view()}
            </div>
            <p class="about" style:display=move || if per_image() { "block" } else { "none" }>
                "About " <b data-testid="lecture-about">{about}</b>
                " — click a test point on the map"
                <label style:display=move || if has_drawing() { "inline" } else { "none" }>
                    ", or " <input type="checkbox" data-testid="lecture-use-drawing" prop:checked=move || l.use_drawing.get()
                        on:change=move |ev| l.use_drawing.set(event_target_checked(&ev)) /> " use my drawing"
                </label>
            </p>
            {move || match l.item.get() {
                Item::Neighbours => view! { <neighbours::Neighbours /> }.into_any(),
                Item::Traverse => view! { <traverse::Traverse /> }.into_any(),
                Item::Posterior => view! { <posterior::Posterior /> }.into_any(),
                Item::Complete => view! { <repair::Repair item=Item::Complete /> }.into_any(),
                Item::Superres => view! { <repair::Repair item=Item::Superres /> }.into_any(),
                Item::Compression => view! { <compression::Compression /> }.into_any(),
                Item::Probe => view! { <probe::ProbePanel /> }.into_any(),
            }}
            <p class="hint" data-testid="lecture-step">{move || l.answer.with(|a| match a {
                Some((step, _, _)) => format!("Computed on the weights of step {step}; updates as the model trains."),
                None => "Computing…".to_string(),
            })}</p>
        </section>
    }
}

/// The answer, when it is of the kind `pick` accepts.
pub(crate) fn answer<T>(state: AppState, pick: impl Fn(&LectureResult, &[f32]) -> Option<T>) -> Option<T> {
    state.lectures.answer.with(|a| a.as_ref().and_then(|(_, r, images)| pick(r, images)))
}

/// Paints a grid of decodes ([`paint_grid`]) shown at twice its pixels (or the panel's width).
pub(crate) fn show_grid(canvas: &web_sys::HtmlCanvasElement, images: &[f32], cols: usize) {
    paint_grid(canvas, images, cols);
    // Through the CSSOM, not a style attribute (the Content-Security-Policy has no inline styles).
    if let Err(e) =
        web_sys::HtmlElement::style(canvas).set_property("width", &format!("{}px", 2 * canvas.width()))
    {
        web_sys::console::warn_2(&"a grid could not be sized:".into(), &e);
    }
}

/// A class's name in the current dataset.
pub(crate) fn class_name(state: AppState, label: u8) -> &'static str {
    state.settings.dataset.get().class_names()[usize::from(label) % 10]
}
