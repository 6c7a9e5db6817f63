//! The page's entry point: a panic hook that shows the message in an error panel with a way back to
//! the last autosave (built without Leptos, which may be unusable after a panic), then the app.

/// The panic panel: the message, and links that reload the page (restoring the autosave, or not).
fn show_panic(msg: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    if document.query_selector("[data-testid=page-crash]").ok()?.is_some() {
        return Some(());
    }
    let el = |tag: &str, text: &str| {
        let e = document.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let panel = el("section", "")?;
    panel.set_class_name("crash");
    for (k, v) in [("role", "alert"), ("data-testid", "page-crash")] {
        panel.set_attribute(k, v).ok()?;
    }
    let message = el("p", msg)?;
    message.set_attribute("data-testid", "page-crash-message").ok()?;
    let search = web_sys::window()?.location().search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.set("restore", "autosave");
    let restore = el("a", "Reload and restore the last autosave")?;
    restore.set_attribute("href", &format!("?{}", String::from(params.to_string()))).ok()?;
    restore.set_attribute("data-testid", "page-crash-restore").ok()?;
    let reload = el("a", "Reload")?;
    reload.set_attribute("href", &search).ok()?;
    let links = el("p", "")?;
    links.append_with_node_3(&restore, &document.create_text_node(" · "), &reload).ok()?;
    let title = el("h2", "The page stopped working")?;
    let note = el("p", "Training may still run, but the page cannot show it any more.")?;
    panel.append_with_node_4(&title, &message, &note, &links).ok()?;
    document.body()?.append_child(&panel).ok()?;
    Some(())
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if show_panic(&format!("Internal error: {info}")).is_none() {
            web_sys::console::error_1(&"the panic panel could not be shown".into());
        }
    }));
    leptos::mount::mount_to_body(app::App);
}
