//! Schedules as pure functions of the step number (β warm-up for the VAE's KL term).

/// A value that ramps linearly from 0 to `value` over `steps` steps, then stays (constant if `steps` is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    value: f32,
    steps: u64,
}

impl Schedule {
    /// Linear warm-up to `value` over `steps` steps.
    pub fn warmup(value: f32, steps: u64) -> Self {
        Self { value, steps }
    }

    /// The value at `step` (0-based).
    pub fn at(self, step: u64) -> f32 {
        if self.steps == 0 || step >= self.steps {
            self.value
        } else {
            self.value * step as f32 / self.steps as f32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Schedule;

    #[test]
    fn warmup_ramps_then_holds() {
        let s = Schedule::warmup(2.0, 4);
        assert_eq!([0, 1, 2, 4, 100].map(|i| s.at(i)), [0.0, 0.5, 1.0, 2.0, 2.0]);
        assert_eq!(Schedule::warmup(0.5, 0).at(0), 0.5);
    }
}
