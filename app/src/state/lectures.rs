//! The lectures panel's state: which item is shown and its settings, the image it is about (the
//! last clicked test point, or the user's drawing), the view's latest answer, and the shipped
//! rate-distortion curve. Every change is sent to the view as one [`ToView::Lecture`] request,
//! which the view serves again as the weights change.

use std::sync::Arc;

use leptos::prelude::*;
use model::DatasetName;
use model::data::degrade::Half;
use model::latent::Metric;
use serde::Deserialize;

use super::AppState;
use crate::protocol::Parts;
use crate::protocol::view::{Lecture, LectureResult, ToView};

/// The panel's items, in the order of its tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Item {
    #[default]
    Neighbours,
    Traverse,
    Posterior,
    Complete,
    Superres,
    Compression,
    Probe,
}

impl Item {
    pub const ALL: [Item; 7] = [
        Item::Neighbours,
        Item::Traverse,
        Item::Posterior,
        Item::Complete,
        Item::Superres,
        Item::Compression,
        Item::Probe,
    ];

    /// The tab's test id suffix and label.
    pub fn id(self) -> &'static str {
        match self {
            Item::Neighbours => "neighbours",
            Item::Traverse => "traverse",
            Item::Posterior => "posterior",
            Item::Complete => "complete",
            Item::Superres => "superres",
            Item::Compression => "compression",
            Item::Probe => "probe",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Item::Neighbours => "Neighbours",
            Item::Traverse => "Traverse",
            Item::Posterior => "Posterior",
            Item::Complete => "Complete",
            Item::Superres => "Super-res",
            Item::Compression => "Compress",
            Item::Probe => "Probe",
        }
    }
}

/// One point of a shipped rate-distortion curve (`make curves`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct CurvePoint {
    pub latent: usize,
    pub ae_mse: f32,
    pub pca_mse: f32,
}

/// A shipped rate-distortion curve.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Curve {
    pub points: Vec<CurvePoint>,
}

/// The view's latest answer: model 0's step, the result and its images.
pub type Answer = (u64, LectureResult, Arc<Vec<f32>>);

/// What the lectures panel shows.
#[derive(Clone, Copy)]
pub struct Lectures {
    /// The panel is beside the maps (instead of the decoded images).
    pub open: RwSignal<bool>,
    pub item: RwSignal<Item>,
    pub metric: RwSignal<Metric>,
    /// The traversal's unit (None: every unit).
    pub unit: RwSignal<Option<usize>>,
    pub half: RwSignal<Half>,
    /// A painted mask (784 bytes, 1 = hidden), used instead of `half` when set.
    pub painted: RwSignal<Option<Arc<Vec<u8>>>>,
    /// Super-resolution's factor: 2 (14×14) or 4 (7×7).
    pub factor: RwSignal<u8>,
    /// About the drawing rather than the clicked test point.
    pub use_drawing: RwSignal<bool>,
    pub answer: RwSignal<Option<Answer>>,
    /// The request last sent (an answer to an earlier one is dropped).
    pub sent: StoredValue<Option<Lecture>>,
    /// The dataset's shipped rate-distortion curve (None: not fetched, or none shipped).
    pub curve: RwSignal<Option<(DatasetName, Curve)>>,
}

impl Lectures {
    pub(super) fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            item: RwSignal::new(Item::default()),
            metric: RwSignal::new(Metric::Euclidean),
            unit: RwSignal::new(None),
            half: RwSignal::new(Half::Top),
            painted: RwSignal::new(None),
            factor: RwSignal::new(4),
            use_drawing: RwSignal::new(false),
            answer: RwSignal::new(None),
            sent: StoredValue::new(None),
            curve: RwSignal::new(None),
        }
    }
}

impl AppState {
    /// The test point the lectures are about: the last decoded one (the default point decoded on
    /// arrival until a click; the first test image before any decode).
    pub fn lecture_index(&self) -> usize {
        self.explore.decoded.with(|d| d.as_ref().and_then(|d| d.point.as_ref()).map_or(0, |p| p.index))
    }

    /// Opens or closes the lectures panel (the drawing pad closes: they share the place).
    pub fn set_lectures_open(&self, open: bool) {
        self.lectures.open.set(open);
        if open {
            self.explore.draw_open.set(false);
        }
    }

    /// Opens or closes the drawing pad (the lectures panel closes: they share the place).
    pub fn toggle_draw(&self) {
        self.explore.draw_open.update(|o| *o = !*o);
        if self.explore.draw_open.get_untracked() {
            self.lectures.open.set(false);
        }
    }

    /// The request the panel's settings describe for test point `point` (tracked: an effect sends
    /// it on every change).
    pub fn lecture_request(&self, point: usize) -> Option<(Lecture, Vec<u8>)> {
        let l = self.lectures;
        if !l.open.get() {
            return None;
        }
        let index = (!l.use_drawing.get()).then_some(point);
        let mut mask = Vec::new();
        let lecture = match l.item.get() {
            Item::Neighbours => Lecture::Neighbours { index, metric: l.metric.get() },
            Item::Traverse => Lecture::Traverse { index, unit: l.unit.get() },
            Item::Posterior => Lecture::Posterior { index },
            Item::Complete => {
                let painted = l.painted.get();
                if let Some(m) = &painted {
                    mask = m.to_vec();
                }
                Lecture::Complete { index, half: l.half.get(), painted: painted.is_some() }
            }
            Item::Superres => Lecture::Superres { index, factor: l.factor.get() },
            Item::Compression => Lecture::Compression,
            Item::Probe => Lecture::Probe,
        };
        Some((lecture, mask))
    }

    /// Sends the panel's request (None stops it) and forgets the answer to the previous one.
    pub fn send_lecture(&self, request: Option<(Lecture, Vec<u8>)>) {
        let (lecture, mask) = match request {
            Some((l, m)) => (Some(l), m),
            None => (None, Vec::new()),
        };
        let parts = if mask.is_empty() { Parts::default() } else { Parts::bytes(&mask) };
        self.lectures.sent.set_value(lecture.clone());
        crate::js::set_global("lsxLecture", &wasm_bindgen::JsValue::NULL);
        self.post_view(&ToView::Lecture { lecture }, parts);
    }

    /// The view's answer to `lecture` (dropped unless it is the request last sent); exposed on
    /// `window` for tests and a person in the console (`lsxLecture`: step, result and request;
    /// `lsxLectureImages`: its images).
    pub(super) fn on_lecture(&self, step: u64, lecture: Lecture, result: LectureResult, images: Vec<f32>) {
        if self.lectures.sent.with_value(|s| s.as_ref() != Some(&lecture)) {
            return;
        }
        if let Ok(v) = serde_wasm_bindgen::to_value(&(step, &result, &lecture)) {
            crate::js::set_global("lsxLecture", &v);
        }
        crate::js::set_global("lsxLectureImages", &js_sys::Float32Array::from(images.as_slice()));
        self.lectures.answer.set(Some((step, result, Arc::new(images))));
    }

    /// Fetches the dataset's shipped rate-distortion curve once (`weights/<dataset>-rd.json`).
    pub fn fetch_curve(&self) {
        let dataset = self.settings.dataset.get_untracked();
        if self.lectures.curve.with_untracked(|c| c.as_ref().is_some_and(|c| c.0 == dataset)) {
            return;
        }
        let state = *self;
        leptos::task::spawn_local(async move {
            let url = format!("weights/{}-rd.json", dataset.id());
            match crate::js::fetch_bytes(&url).await.map(|b| serde_json::from_slice::<Curve>(&b)) {
                Ok(Ok(curve)) => state.lectures.curve.set(Some((dataset, curve))),
                Ok(Err(e)) => state.say(format!("The rate-distortion curve {url} is damaged ({e}).")),
                Err(e) => state.say(format!("No rate-distortion curve for {}: {e}", dataset.id())),
            }
        });
    }
}
