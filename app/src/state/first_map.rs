//! The first map, drawn by the page itself from the shipped codes (80 KB) and test labels (4.5 KB)
//! before the workers start: on a slow link their 4 MB of wasm take seconds, this takes a blink. The
//! view worker's own map of the same weights replaces it when it is ready.

use std::sync::Arc;

use leptos::prelude::*;
use model::{NetConfig, data::parse_labels};

use super::AppState;
use crate::js::fetch_bytes;
use crate::protocol::Parts;
use crate::protocol::view::MapInfo;
use crate::worker::shipped;

impl AppState {
    /// Draws the shipped map of every model that starts from shipped weights of the shape they were
    /// trained with (`make weights`: the default network). Anything missing or odd: nothing drawn,
    /// the view worker's map comes a little later as before.
    pub(super) async fn draw_shipped_maps(self) {
        if !self.settings.pretrained.get_untracked() {
            return;
        }
        let dataset = self.settings.dataset.get_untracked();
        let nets = self.settings.nets();
        let shipped = |net: &NetConfig| *net == NetConfig { kind: net.kind, ..NetConfig::default() };
        if !nets.iter().any(shipped) {
            return;
        }
        let [_, _, _, labels_file] = dataset.files();
        let labels_url = format!("data/{}/{labels_file}", dataset.id());
        let shipped_files = nets.iter().map(|net| async move {
            if !shipped(net) {
                return None;
            }
            let (codes, step) = futures::join!(shipped::map(dataset, net), shipped::step(dataset, net));
            Some((step?, codes.ok()?))
        });
        let (labels, maps) =
            futures::join!(fetch_bytes(&labels_url), futures::future::join_all(shipped_files));
        let Some(labels) = labels.ok().and_then(|b| parse_labels(&b).ok()) else { return };
        let labels = Arc::new(labels);
        for (i, (step, codes)) in maps.into_iter().enumerate().filter_map(|(i, m)| Some((i, m?))) {
            // A shipped map holds 2-D codes, one per test label. The view may have drawn one already.
            if codes.len() != 2 * labels.len() || self.maps[i].latents.with_untracked(|(p, _)| !p.is_empty())
            {
                continue;
            }
            if self.explore.labels.with_untracked(|l| l.is_empty()) {
                self.explore.labels.set(labels.clone());
            }
            self.on_latents(i, step, MapInfo::default(), (false, 0), Parts::data(&codes));
            // The status bar beside it shows its step until the trainer reports the same one.
            if i == 0 && self.training.step.get_untracked() == 0 {
                self.training.start_step.set(step);
                self.training.step.set(step);
            }
        }
    }
}
