//! Kind to weak laptops: training pauses by itself when the tab is hidden (and says so on return),
//! and, when asked, after a number of epochs or once the loss stops improving.

use leptos::prelude::*;

use super::AppState;

/// Relative improvement of the mean loss from one half-epoch window to the next below which the
/// loss counts as no longer improving.
const PLATEAU: f32 = 0.005;

/// When a run stops by itself.
#[derive(Clone, Copy)]
pub struct AutoStop {
    /// Pause after this many epochs of a run (0: never).
    pub epochs: RwSignal<f64>,
    /// Pause once the loss stops improving.
    pub plateau: RwSignal<bool>,
    /// The epoch the current run started at.
    started: RwSignal<f64>,
    /// Training was paused because the tab was hidden.
    hidden: RwSignal<bool>,
}

impl AutoStop {
    pub(super) fn new() -> Self {
        Self {
            epochs: RwSignal::new(0.0),
            plateau: RwSignal::new(false),
            started: RwSignal::new(0.0),
            hidden: RwSignal::new(false),
        }
    }
}

/// Whether losses (one per step, oldest first) stopped improving: the mean of the last `window`
/// steps is less than [`PLATEAU`] below that of the `window` steps before.
pub fn plateaued(losses: &[f32], window: usize) -> bool {
    let window = window.max(1);
    if losses.len() < 2 * window {
        return false;
    }
    let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
    let last = &losses[losses.len() - window..];
    let before = &losses[losses.len() - 2 * window..losses.len() - window];
    mean(last) > mean(before) * (1.0 - PLATEAU)
}

impl AppState {
    /// A run starts at `epoch`.
    pub(super) fn run_started(&self, epoch: f64) {
        self.autostop.started.set(epoch);
    }

    /// After a progress report while running: pauses when the epochs asked for are done or the loss
    /// has stopped improving, saying why.
    pub(super) fn check_autostop(&self, epoch: f64, batches_per_epoch: usize) {
        let a = &self.autostop;
        let (epochs, since) = (a.epochs.get_untracked(), epoch - a.started.get_untracked());
        if epochs > 0.0 && since >= epochs {
            self.set_running(false);
            return self.say(format!("Paused after {epochs} epochs, as asked (settings)."));
        }
        let window = (batches_per_epoch / 2).max(50);
        let losses: Vec<f32> = self.maps[0].history.with_untracked(|h| {
            let start = h.len().saturating_sub(2 * window);
            h[start..].iter().map(|s| s[1] + s[2]).collect()
        });
        let enough = since * batches_per_epoch as f64 >= (2 * window) as f64;
        if a.plateau.get_untracked() && enough && plateaued(&losses, window) {
            self.set_running(false);
            self.say("Paused: the loss stopped improving over the last half epoch (settings).");
        }
    }

    /// The tab was hidden or shown again.
    pub fn on_visibility(&self, hidden: bool) {
        let a = &self.autostop;
        if hidden && self.training.running.get_untracked() {
            self.set_running(false);
            a.hidden.set(true);
        } else if !hidden && a.hidden.get_untracked() {
            a.hidden.set(false);
            self.say("Training paused while this tab was hidden, to spare the computer. Press Train (or t) to go on.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plateaued;

    #[test]
    fn a_falling_loss_is_no_plateau_and_a_flat_one_is() {
        let falling: Vec<f32> = (0..200).map(|i| 1.0 / (1.0 + i as f32 * 0.05)).collect();
        assert!(!plateaued(&falling, 50));
        let flat: Vec<f32> = (0..200).map(|i| 0.05 + 0.001 * ((i * 7) % 3) as f32).collect();
        assert!(plateaued(&flat, 50));
        assert!(!plateaued(&flat[..60], 50), "too short to tell");
    }
}
