//! The page's entry point: a panic hook that shows the message, then the app.

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let msg = format!("Internal error, please reload: {info}");
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[data-testid=status]").ok().flatten())
        {
            el.set_text_content(Some(&msg));
        }
    }));
    leptos::mount::mount_to_body(app::App);
}
