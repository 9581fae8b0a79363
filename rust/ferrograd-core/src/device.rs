//! Where a tensor's data lives: host memory, or the GPU through wgpu.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Device {
    #[default]
    Cpu,
    /// The GPU with this index. There is one GPU device per process, so the index is always 0.
    Wgpu(u32),
}

impl Device {
    /// PyTorch's spelling: `cpu`, `cuda:0`; ours: `cpu`, `wgpu:0`.
    pub fn name(&self) -> String {
        match self {
            Device::Cpu => "cpu".to_string(),
            Device::Wgpu(i) => format!("wgpu:{i}"),
        }
    }

    /// The device type alone (`cpu`, `wgpu`), as `device.type` reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Wgpu(_) => "wgpu",
        }
    }

    /// Reads `cpu`, `wgpu` and `wgpu:N`.
    pub fn parse(s: &str) -> Option<Device> {
        match s.split_once(':') {
            None if s == "cpu" => Some(Device::Cpu),
            None if s == "wgpu" => Some(Device::Wgpu(0)),
            Some(("cpu", i)) if i.parse::<u32>().is_ok() => Some(Device::Cpu),
            Some(("wgpu", i)) => i.parse().ok().map(Device::Wgpu),
            _ => None,
        }
    }

    pub fn is_wgpu(&self) -> bool {
        matches!(self, Device::Wgpu(_))
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Device;

    #[test]
    fn names_round_trip() {
        for d in [Device::Cpu, Device::Wgpu(0)] {
            assert_eq!(Device::parse(&d.name()), Some(d));
        }
        assert_eq!(Device::parse("wgpu"), Some(Device::Wgpu(0)));
        assert_eq!(Device::parse("cuda"), None);
        assert_eq!(Device::parse("wgpu:x"), None);
    }
}
