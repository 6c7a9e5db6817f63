//! A run's arrival in the view: the page's `Setup` (test set, shipped models and maps, the pixel PCA)
//! and the trainer's weights, which may come before the setup of their run (kept until it arrives) or
//! after the next run's (dropped).

use std::cmp::Ordering;

use model::{Dataset, DatasetName, NetConfig, weights};

use super::model_copy::{Coder, ModelCopy};
use super::{Env, MAP_POINTS, View, map_pass};
use crate::js::now;
use crate::protocol::view::FromView;
use crate::protocol::{Init, Parts, Weights};
use crate::worker::shipped;

impl View {
    /// Weights from the trainer: an older run's are dropped, a newer run's kept for its setup.
    pub(super) fn weights(&mut self, w: Weights, params: Vec<f32>) {
        match self.run {
            // An opened model is shown: the trainer's weights wait for the next setup.
            Some(run) if self.own && w.run <= run => {}
            Some(run) if w.run < run => {}
            Some(run) if w.run == run => self.apply(w, params),
            _ => {
                self.early.retain(|(e, _)| e.model != w.model || e.run > w.run);
                if !self.early.iter().any(|(e, _)| e.model == w.model) {
                    self.early.push((w, params));
                }
            }
        }
    }

    /// Model `w.model` gets the weights `params`.
    fn apply(&mut self, w: Weights, params: Vec<f32>) {
        let (model, nets) = (w.model, self.nets.len());
        let slot = self.models.get_mut(model).filter(|_| model < nets);
        let Some(slot) = slot else {
            return self
                .out
                .error(format!("weights for model {model} arrived, but run {} has {nets}", w.run));
        };
        match weights::restore(&w.net, &params, &self.device) {
            Ok(net) => *slot = Some(ModelCopy::replaced(slot.take(), net, w.step)),
            Err(e) => self.out.error(format!("the trainer's weights for model {model}: {e}")),
        }
    }

    /// The page's run `run`: its test set, the shipped models and maps where asked for, the pixel PCA,
    /// and the weights of this run that came early.
    pub(super) async fn setup(
        &mut self,
        run: u32,
        dataset: DatasetName,
        nets: Vec<NetConfig>,
        init: Init,
        pixels_pca: bool,
    ) {
        let reload = self.dataset != Some(dataset) || self.test.is_none();
        let (test, models) = futures::join!(
            async { if reload { Some(self.load_test(dataset).await) } else { None } },
            self.shipped_models(dataset, &nets, init),
        );
        if let Some(test) = test {
            (self.test, self.dataset) = (test, Some(dataset));
        } else if let Some(t) = &self.test {
            self.send_loaded(dataset, t);
        }
        (self.run, self.models, self.pass, self.own) = (Some(run), models, None, false);
        // The shipped networks stay as the plain models the lectures compare trained ones with.
        self.extra.plain =
            self.models.iter().map(|m| m.as_ref().and_then(|m| Some((m.net()?.clone(), m.step)))).collect();
        if let Some(r) = self.sched.pending.lecture.as_mut() {
            r.changed = true;
        }
        (self.sched.pending.interp, self.sched.pending.sample) = (None, None);
        self.nets = nets;
        if let (true, Some(test), Some(net)) = (pixels_pca, &self.test, self.nets.first()) {
            let t0 = now();
            match ModelCopy::pixels_pca(test, net.latent) {
                Ok((m, rows)) => {
                    let (k, ms) = (m.dim(), now() - t0);
                    self.out.notice(format!(
                        "PCA of the pixels fitted to {rows} test images ({k} components) in {ms:.0} ms."
                    ));
                    self.models.push(Some(m));
                }
                Err(e) => self.out.error(format!("PCA of the pixels: {e}")),
            }
        }
        let View { out, device, test, models, nets, .. } = self;
        match test {
            Some(test) => {
                map_pass::publish_shipped(&Env { out, test, device }, models, |i, len, expected| {
                    nets.get(i)
                        .map_or_else(String::new, |net| shipped::map_misfit(dataset, net, len, expected))
                })
            }
            None => models.iter_mut().flatten().for_each(|m| m.codes.clear()),
        }
        // After the shipped maps went out (a shipped map belongs to the shipped weights' step), the
        // weights of this run that came early: a loaded file's, say.
        for (w, params) in std::mem::take(&mut self.early) {
            match w.run.cmp(&run) {
                Ordering::Less => {}
                Ordering::Equal => self.apply(w, params),
                Ordering::Greater => self.early.push((w, params)),
            }
        }
    }

    /// Each net's shipped pretrained weights and map when asked for (none otherwise): the map can be
    /// drawn before the trainer has even loaded its data.
    async fn shipped_models(
        &self,
        dataset: DatasetName,
        nets: &[NetConfig],
        init: Init,
    ) -> Vec<Option<ModelCopy>> {
        let mut models = Vec::with_capacity(nets.len());
        for net in nets {
            if init == Init::Fresh {
                models.push(None);
                continue;
            }
            let (found, codes) =
                futures::join!(shipped::pretrained(dataset, net, &self.device), shipped::map(dataset, net));
            // A damaged weights file is reported by the trainer, which loads the same file.
            let Ok(Some((restored, step))) = found else {
                models.push(None);
                continue;
            };
            let codes = codes.unwrap_or_else(|msg| {
                self.out.notice(msg);
                Vec::new()
            });
            models.push(Some(ModelCopy::new(Coder::Net(Box::new(restored)), step, codes)));
        }
        models
    }

    /// The test split of `dataset`, announced with `DataLoaded`; None (reported) when it cannot be loaded.
    async fn load_test(&self, dataset: DatasetName) -> Option<Dataset> {
        match shipped::load(dataset, false).await {
            Ok(test) => {
                self.send_loaded(dataset, &test);
                Some(test)
            }
            Err(msg) => {
                self.out.error(format!("could not load the test data: {msg}"));
                None
            }
        }
    }

    fn send_loaded(&self, dataset: DatasetName, test: &Dataset) {
        let labels = &test.labels()[..MAP_POINTS.min(test.len())];
        self.out.send(&FromView::DataLoaded { dataset, test: test.len() }, &Parts::bytes(labels));
    }
}
