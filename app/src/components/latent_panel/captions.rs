//! The words under and over a map: its title, what to look for in it (in the lecture's terms) and
//! what the view measured on it.

/// A map's title.
pub(super) fn title(kind: Option<model::Kind>) -> &'static str {
    match kind {
        Some(model::Kind::Ae) => "Autoencoder latent space",
        Some(model::Kind::Vae) => "VAE latent space (μ)",
        None => "PCA of the pixels",
    }
}

/// What the view measured on the map: k-NN accuracy, the projection, and the code's sparsity.
pub(super) fn info_text(info: crate::protocol::view::MapInfo, pca: bool) -> String {
    if info.dim == 0 {
        return String::new();
    }
    let mut t =
        format!("k-NN(5) accuracy of these 2-D positions: {:.3} (first 1,000 test points).", info.knn);
    if let Some(share) = info.plane_share {
        t += &format!(
            " Projection: the {}-D codes on their first two principal components ({:.0} % of their variance), \
             refitted at every map update; a click decodes the plane's point plus, in the other {} directions, \
             the average of the codes placed nearest to it.",
            info.dim,
            100.0 * share,
            info.dim - 2
        );
    }
    if !pca {
        t += &format!(
            " Code: mean |z| {:.3}, {:.0} % of code values near zero (|z| < 0.1).",
            info.mean_abs,
            100.0 * info.near_zero
        );
    }
    t
}

/// What to look for in each map, in the lecture's terms.
pub(super) fn caption(kind: Option<model::Kind>, compare: bool) -> &'static str {
    let Some(kind) = kind else {
        return "PCA of the pixels: each test image projected on the directions of largest pixel variance, \
                the best a linear map can do. Compare how well the classes separate (k-NN) and the \
                reconstructions with the same number of components below.";
    };
    match (kind, compare) {
        (model::Kind::Ae, true) => {
            "Autoencoder: each image gets one point, placed wherever reconstruction is easiest. Nothing \
             shapes the space, so clusters drift far apart with empty gaps between them, and there is no \
             known region to sample from: hover a gap, or press Sample, and see the decodes turn to smudges."
        }
        (model::Kind::Vae, true) => {
            "VAE: each image becomes a small Gaussian (μ, σ), and the KL term pulls them all towards \
             N(0, I). The codes fill one round region around 0 without holes, so a point drawn from \
             N(0, I) decodes to a plausible image. Raise β for a smoother map and blurrier images."
        }
        (model::Kind::Ae, false) => {
            "Each dot is a test image at its 2-D code. Same-class images end up together although the \
             autoencoder never sees a label."
        }
        (model::Kind::Vae, false) => {
            "Each dot is the mean μ of a test image's code. The KL term keeps the codes near N(0, I)."
        }
    }
}
