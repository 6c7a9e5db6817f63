//! Devices named on the command line: `cpu` (burn flex), `wgpu[:default|:N|:integrated:N|:cpu]`
//! (burn's wgpu backend: Vulkan, Metal or DX12) and `cuda[:N]`, each only where this build has its
//! backend (Cargo features `wgpu`, `cuda`). A GPU that cannot be opened is an error, not a panic.

use burn::tensor::Device;

/// Why a device could not be had.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    #[error(
        "unknown device {0:?}: use cpu, wgpu, wgpu:N (the Nth discrete GPU), wgpu:integrated:N, wgpu:cpu or cuda[:N]"
    )]
    Unknown(String),
    #[error("this build has no {backend} backend: rebuild with `--features {backend}`")]
    NotBuilt { backend: &'static str },
    #[error("no {what} could be opened: {reason}")]
    Unavailable { what: String, reason: String },
}

/// The backend a device spec names, and its selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    Cpu,
    /// burn's wgpu backend: `None` = the default adapter, else a discrete GPU's index, an integrated
    /// GPU's (`Some((true, i))`), or the CPU adapter (a software driver such as lavapipe).
    Wgpu(WgpuPick),
    Cuda(usize),
}

/// Which wgpu adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WgpuPick {
    Default,
    Discrete(usize),
    Integrated(usize),
    Cpu,
}

impl Spec {
    /// Parses `cpu`, `wgpu`, `wgpu:1`, `wgpu:integrated:0`, `wgpu:cpu`, `cuda`, `cuda:1`.
    pub fn parse(text: &str) -> Result<Self, DeviceError> {
        let unknown = || DeviceError::Unknown(text.to_string());
        let parts: Vec<&str> = text.trim().split(':').collect();
        let index = |s: &str| s.parse::<usize>().map_err(|_| unknown());
        Ok(match parts.as_slice() {
            ["cpu"] => Self::Cpu,
            ["wgpu"] | ["wgpu", "default"] => Self::Wgpu(WgpuPick::Default),
            ["wgpu", "cpu"] => Self::Wgpu(WgpuPick::Cpu),
            ["wgpu", "integrated", i] => Self::Wgpu(WgpuPick::Integrated(index(i)?)),
            ["wgpu", i] => Self::Wgpu(WgpuPick::Discrete(index(i)?)),
            ["cuda"] => Self::Cuda(0),
            ["cuda", i] => Self::Cuda(index(i)?),
            _ => return Err(unknown()),
        })
    }

    /// Opens the device (inference; add `.autodiff()` to train on it).
    pub fn open(&self) -> Result<Device, DeviceError> {
        match self {
            Self::Cpu => cpu(),
            Self::Wgpu(pick) => wgpu(*pick),
            Self::Cuda(i) => cuda(*i),
        }
    }
}

#[cfg(feature = "cpu")]
fn cpu() -> Result<Device, DeviceError> {
    Ok(Device::flex())
}

#[cfg(not(feature = "cpu"))]
fn cpu() -> Result<Device, DeviceError> {
    Err(DeviceError::NotBuilt { backend: "cpu" })
}

/// wgpu devices already opened: burn registers each adapter's runtime once per process.
#[cfg(all(feature = "wgpu", not(target_arch = "wasm32")))]
static OPENED: std::sync::Mutex<Vec<(WgpuPick, Device)>> = std::sync::Mutex::new(Vec::new());

#[cfg(all(feature = "wgpu", not(target_arch = "wasm32")))]
fn wgpu(pick: WgpuPick) -> Result<Device, DeviceError> {
    let mut opened = OPENED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, device)) = opened.iter().find(|(p, _)| *p == pick) {
        return Ok(device.clone());
    }
    let device = open_wgpu(pick)?;
    opened.push((pick, device.clone()));
    Ok(device)
}

#[cfg(all(feature = "wgpu", not(target_arch = "wasm32")))]
fn open_wgpu(pick: WgpuPick) -> Result<Device, DeviceError> {
    use burn::tensor::DeviceKind;
    let kind = match pick {
        WgpuPick::Default => DeviceKind::DefaultDevice,
        WgpuPick::Discrete(i) => DeviceKind::DiscreteGpu(i),
        WgpuPick::Integrated(i) => DeviceKind::IntegratedGpu(i),
        WgpuPick::Cpu => DeviceKind::Cpu,
    };
    Device::wgpu_options().device_kind(kind.clone()).init().map_err(|e| DeviceError::Unavailable {
        what: format!("wgpu adapter ({kind:?})"),
        reason: format!("{e}"),
    })
}

#[cfg(not(all(feature = "wgpu", not(target_arch = "wasm32"))))]
fn wgpu(_: WgpuPick) -> Result<Device, DeviceError> {
    Err(DeviceError::NotBuilt { backend: "wgpu" })
}

#[cfg(feature = "cuda")]
fn cuda(index: usize) -> Result<Device, DeviceError> {
    // burn's CUDA runtime opens the device on first use and panics when there is none: ask first.
    let device = Device::cuda(index);
    let probe = std::panic::AssertUnwindSafe(|| burn::tensor::Tensor::<1>::zeros([1], &device).into_data());
    match std::panic::catch_unwind(probe) {
        Ok(_) => Ok(device),
        Err(_) => Err(DeviceError::Unavailable {
            what: format!("CUDA device {index}"),
            reason: "the CUDA driver found no such GPU".into(),
        }),
    }
}

#[cfg(not(feature = "cuda"))]
fn cuda(_: usize) -> Result<Device, DeviceError> {
    Err(DeviceError::NotBuilt { backend: "cuda" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_bad_ones_say_what_is_allowed() {
        assert_eq!(Spec::parse("cpu"), Ok(Spec::Cpu));
        assert_eq!(Spec::parse("wgpu"), Ok(Spec::Wgpu(WgpuPick::Default)));
        assert_eq!(Spec::parse("wgpu:1"), Ok(Spec::Wgpu(WgpuPick::Discrete(1))));
        assert_eq!(Spec::parse("wgpu:integrated:0"), Ok(Spec::Wgpu(WgpuPick::Integrated(0))));
        assert_eq!(Spec::parse("wgpu:cpu"), Ok(Spec::Wgpu(WgpuPick::Cpu)));
        assert_eq!(Spec::parse("cuda:2"), Ok(Spec::Cuda(2)));
        let err = Spec::parse("tpu").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("use cpu, wgpu"), "{err}");
        assert!(Spec::parse("wgpu:x").is_err());
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn a_backend_not_built_says_how_to_build_it() {
        let err = Spec::Cuda(0).open().err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err, "this build has no cuda backend: rebuild with `--features cuda`");
    }
}
