//! A signature as an inline SVG: one polyline per stroke in a 1000×1000 box.

use mpos_wire::api::Stroke;

/// The SVG element.
pub fn render(strokes: &[Stroke]) -> String {
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000" width="300" height="300" role="img" aria-label="signature">"#,
    );
    for stroke in strokes {
        let points: Vec<String> = stroke
            .points
            .iter()
            .map(|p| format!("{},{}", p.x, p.y))
            .collect();
        svg.push_str(&format!(
            r#"<polyline fill="none" stroke="black" stroke-width="6" stroke-linecap="round" stroke-linejoin="round" points="{}"/>"#,
            points.join(" ")
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_wire::api::Point;

    #[test]
    fn one_polyline_per_stroke() {
        let strokes = vec![
            Stroke {
                points: vec![Point { x: 0, y: 0 }, Point { x: 10, y: 20 }],
            },
            Stroke {
                points: vec![Point { x: 5, y: 5 }, Point { x: 1000, y: 1000 }],
            },
        ];
        let svg = render(&strokes);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(r#"points="0,0 10,20""#));
        assert!(svg.contains(r#"points="5,5 1000,1000""#));
    }
}
