//! What the maps show: one model, two models side by side, or a model beside a PCA of the pixels.
//! One enum with one string mapping, used by the model select, the URL query and the URL hash.

use model::Kind;

/// The page's map mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MapMode {
    /// One autoencoder.
    #[default]
    Ae,
    /// One variational autoencoder.
    Vae,
    /// An AE and a VAE of the same size, trained side by side on the same batches.
    AeVae,
    /// An AE beside a PCA of the pixels (the linear baseline).
    AePca,
}

impl MapMode {
    /// Every mode, in the select's order.
    pub const ALL: [MapMode; 4] = [MapMode::Ae, MapMode::Vae, MapMode::AeVae, MapMode::AePca];

    /// The mode's name in the select, the query and the hash.
    pub fn id(self) -> &'static str {
        match self {
            MapMode::Ae => "ae",
            MapMode::Vae => "vae",
            MapMode::AeVae => "compare",
            MapMode::AePca => "pca",
        }
    }

    /// The mode named `id` (see [`MapMode::id`]).
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id() == id)
    }

    /// What the select says.
    pub fn label(self) -> &'static str {
        match self {
            MapMode::Ae => "Autoencoder",
            MapMode::Vae => "Variational AE",
            MapMode::AeVae => "AE and VAE",
            MapMode::AePca => "AE and PCA",
        }
    }

    /// The mode a URL query asks for: `?compare=1`, `?pca=1`, or `?model=<id>`.
    pub fn from_query(query: impl Fn(&str) -> Option<String>) -> Option<Self> {
        if query("compare").as_deref() == Some("1") {
            return Some(MapMode::AeVae);
        }
        if query("pca").as_deref() == Some("1") {
            return Some(MapMode::AePca);
        }
        query("model").and_then(|m| Self::from_id(&m))
    }

    /// The kinds of the networks trained: one, or an AE and a VAE.
    pub fn kinds(self) -> Vec<Kind> {
        match self {
            MapMode::Ae | MapMode::AePca => vec![Kind::Ae],
            MapMode::Vae => vec![Kind::Vae],
            MapMode::AeVae => vec![Kind::Ae, Kind::Vae],
        }
    }

    /// The kind of map `map`'s network (None: the pixel PCA, or no such map).
    pub fn kind(self, map: usize) -> Option<Kind> {
        self.kinds().get(map).copied()
    }

    /// Maps shown: 1 or 2.
    pub fn maps(self) -> usize {
        match self {
            MapMode::Ae | MapMode::Vae => 1,
            MapMode::AeVae | MapMode::AePca => 2,
        }
    }

    /// Whether the last map is a PCA of the pixels.
    pub fn pixels_pca(self) -> bool {
        self == MapMode::AePca
    }

    /// Whether two networks train side by side (and so share a cursor in one latent space).
    pub fn compare(self) -> bool {
        self == MapMode::AeVae
    }

    /// The short name of each map's model (AE, VAE, PCA).
    pub fn names(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.kinds().into_iter().map(kind_name).collect();
        if self.pixels_pca() {
            names.push("PCA");
        }
        names
    }

    /// The mode that trains exactly these kinds (after a model file was loaded).
    pub fn of_kinds(kinds: &[Kind]) -> Self {
        match kinds {
            [Kind::Vae] => MapMode::Vae,
            [_, _] => MapMode::AeVae,
            _ => MapMode::Ae,
        }
    }
}

/// The short name of a network kind (AE / VAE).
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Ae => "AE",
        Kind::Vae => "VAE",
    }
}

#[cfg(test)]
mod tests {
    use super::MapMode;

    #[test]
    fn ids_round_trip_and_queries_map_to_modes() {
        for m in MapMode::ALL {
            assert_eq!(MapMode::from_id(m.id()), Some(m));
            assert_eq!(m.names().len(), m.maps());
        }
        let q = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1.to_string())
        };
        assert_eq!(MapMode::from_query(q(&[("compare", "1")])), Some(MapMode::AeVae));
        assert_eq!(MapMode::from_query(q(&[("pca", "1")])), Some(MapMode::AePca));
        assert_eq!(MapMode::from_query(q(&[("model", "vae")])), Some(MapMode::Vae));
        assert_eq!(MapMode::from_query(q(&[])), None);
    }
}
