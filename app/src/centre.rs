//! The point a map decodes before the user points anywhere, so the decode panel is never blank on
//! arrival: a pure function of the map's 2-D points and their labels.

/// The test point a map decodes before the user points anywhere: the one nearest the centre of the
/// densest class (smallest mean distance of its points to their centroid; every point is one class
/// when there are no labels). None for an empty map.
pub fn central_point(points: &[f32], labels: &[u8]) -> Option<usize> {
    let n = points.len() / 2;
    let class = |i: usize| if labels.len() == n { usize::from(labels[i]) } else { 0 };
    let mut sums = [[0.0f64; 3]; 256];
    for (i, p) in points.chunks_exact(2).enumerate() {
        let s = &mut sums[class(i)];
        *s = [s[0] + f64::from(p[0]), s[1] + f64::from(p[1]), s[2] + 1.0];
    }
    let centre = |c: usize| [sums[c][0] / sums[c][2], sums[c][1] / sums[c][2]];
    let dist = |p: &[f32], c: [f64; 2]| (f64::from(p[0]) - c[0]).hypot(f64::from(p[1]) - c[1]);
    let mut spread = [0.0f64; 256];
    for (i, p) in points.chunks_exact(2).enumerate() {
        spread[class(i)] += dist(p, centre(class(i)));
    }
    let densest = (0..256)
        .filter(|&c| sums[c][2] > 0.0)
        .min_by(|&a, &b| (spread[a] / sums[a][2]).total_cmp(&(spread[b] / sums[b][2])))?;
    let c = centre(densest);
    points
        .chunks_exact(2)
        .enumerate()
        .filter(|&(i, _)| class(i) == densest)
        .min_by(|a, b| dist(a.1, c).total_cmp(&dist(b.1, c)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_point_is_the_middle_of_the_tightest_class() {
        // Class 0: a wide ring around (10, 10); class 1: a tight cluster around (-5, 2) whose middle
        // point is index 5 + 2.
        let mut points = Vec::new();
        let mut labels = Vec::new();
        for k in 0..5 {
            let a = k as f32;
            points.extend([10.0 + 4.0 * a.cos(), 10.0 + 4.0 * a.sin()]);
            labels.push(0);
        }
        for (dx, dy) in [(-0.2, 0.0), (0.2, 0.1), (0.01, 0.0), (0.0, -0.2), (0.1, 0.2)] {
            points.extend([-5.0 + dx, 2.0 + dy]);
            labels.push(1);
        }
        assert_eq!(central_point(&points, &labels), Some(7));
        // Without labels: the point nearest the middle of all of them.
        let line = [0.0, 0.0, 1.0, 0.0, 2.0, 0.0];
        assert_eq!(central_point(&line, &[]), Some(1));
        assert_eq!(central_point(&[], &[]), None);
    }
}
