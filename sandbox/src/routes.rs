//! Routes: which served endpoint answers a request path. An endpoint answers at its path and at each alias; a
//! path without placeholders is matched exactly, and a path with them (`/v1/orders/{invoice_number}`) segment by
//! segment, each placeholder matching one non-empty segment whose raw (still percent-encoded) text is kept for the
//! call. An exact route wins over a templated one, and a templated route with fewer placeholders over one with
//! more, so `/v1/orders/search` is never taken for an order called `search`.

use std::collections::HashMap;

use snapbi_spec::ir::Api;

use crate::sandbox::{SandboxError, Served};

/// Every served endpoint's routes.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    /// Paths without placeholders → indexes into `served` (one per method).
    exact: HashMap<String, Vec<usize>>,
    /// Paths with placeholders, fewest placeholders first.
    templates: Vec<Template>,
}

/// A path with placeholders and the served endpoints (one per method) at it.
#[derive(Debug)]
struct Template {
    segments: Vec<Segment>,
    served: Vec<usize>,
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// A served endpoint at a request path, with its placeholders' values as received: (name, raw segment).
pub(crate) struct Matched<'r> {
    pub(crate) served: usize,
    pub(crate) params: Vec<(&'r str, &'r str)>,
}

impl Routes {
    /// The routes of `served`: each endpoint's path and aliases. Two endpoints with the same method at the same
    /// route (placeholders' names aside) clash.
    pub(crate) fn build(api: &Api, served: &[Served]) -> Result<Routes, SandboxError> {
        let mut routes = Routes::default();
        let mut taken: HashMap<(String, String), usize> = HashMap::new();
        for (i, s) in served.iter().enumerate() {
            let endpoint = &api.endpoints[s.index];
            let method = endpoint.info.method.to_string();
            // An endpoint answers at its path and at each alias (the route an official SDK calls).
            for path in std::iter::once(endpoint.info.path.as_ref()).chain(endpoint.aliases.iter().map(String::as_str))
            {
                let segments = segments(path);
                if let Some(&other) = taken.get(&(method.clone(), shape(&segments))) {
                    return Err(SandboxError::RouteClash {
                        first: api.endpoints[served[other].index].info.id.to_string(),
                        second: endpoint.info.id.to_string(),
                        method,
                        path: path.to_owned(),
                    });
                }
                taken.insert((method.clone(), shape(&segments)), i);
                routes.add(path, segments, i);
            }
        }
        routes.templates.sort_by_key(|t| t.placeholders());
        Ok(routes)
    }

    fn add(&mut self, path: &str, segments: Vec<Segment>, served: usize) {
        if segments.iter().all(|s| matches!(s, Segment::Literal(_))) {
            self.exact.entry(path.to_owned()).or_default().push(served);
            return;
        }
        match self.templates.iter_mut().find(|t| t.segments == segments) {
            Some(template) => template.served.push(served),
            None => self.templates.push(Template {
                segments,
                served: vec![served],
            }),
        }
    }

    /// Every served endpoint that answers at `path`, whatever its method: the exact route's first, then those of
    /// matching templates.
    pub(crate) fn at<'r>(&'r self, path: &'r str) -> impl Iterator<Item = Matched<'r>> + 'r {
        let exact = self.exact.get(path).into_iter().flatten().map(|&served| Matched {
            served,
            params: Vec::new(),
        });
        let templated = self.templates.iter().filter_map(move |t| Some((t, t.matches(path)?)));
        let templated = templated.flat_map(|(t, params)| {
            t.served.iter().map(move |&served| Matched {
                served,
                params: params.clone(),
            })
        });
        exact.chain(templated)
    }
}

impl Template {
    fn placeholders(&self) -> usize {
        self.segments.iter().filter(|s| matches!(s, Segment::Param(_))).count()
    }

    /// The placeholders' raw values when `path` has this template's shape: as many segments, each literal equal,
    /// each placeholder non-empty.
    fn matches<'r>(&'r self, path: &'r str) -> Option<Vec<(&'r str, &'r str)>> {
        let mut given = path.split('/');
        let mut params = Vec::new();
        for segment in &self.segments {
            let value = given.next()?;
            match segment {
                Segment::Literal(text) if text == value => {}
                Segment::Param(name) if !value.is_empty() => params.push((name.as_str(), value)),
                _ => return None,
            }
        }
        given.next().is_none().then_some(params)
    }
}

/// A route's segments; `{name}` is a placeholder (the lowering checked that placeholders are whole segments).
fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Param(name.to_owned()),
            None => Segment::Literal(s.to_owned()),
        })
        .collect()
}

/// A route with its placeholders' names left out: two routes of one shape answer the same requests.
fn shape(segments: &[Segment]) -> String {
    let parts: Vec<&str> = segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => text.as_str(),
            Segment::Param(_) => "{}",
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(paths: &[&str]) -> Routes {
        let mut routes = Routes::default();
        for (i, path) in paths.iter().enumerate() {
            routes.add(path, segments(path), i);
        }
        routes.templates.sort_by_key(|t| t.placeholders());
        routes
    }

    fn first<'r>(routes: &'r Routes, path: &'r str) -> Option<(usize, Vec<(&'r str, &'r str)>)> {
        routes.at(path).next().map(|m| (m.served, m.params))
    }

    #[test]
    fn a_placeholder_matches_one_non_empty_segment_kept_raw() {
        let routes = routes(&["/v1/orders/{invoice_number}", "/v1/orders/{id}/cancel"]);
        assert_eq!(
            first(&routes, "/v1/orders/INV%2F1"),
            Some((0, vec![("invoice_number", "INV%2F1")]))
        );
        assert_eq!(first(&routes, "/v1/orders/7/cancel"), Some((1, vec![("id", "7")])));
        assert_eq!(first(&routes, "/v1/orders/"), None, "an empty segment is no value");
        assert_eq!(first(&routes, "/v1/orders/INV/1"), None, "a value is one segment");
        assert_eq!(first(&routes, "/v1/orders"), None);
    }

    #[test]
    fn exact_routes_win_then_fewer_placeholders() {
        let routes = routes(&["/v1/{kind}/{id}", "/v1/orders/{id}", "/v1/orders/search"]);
        assert_eq!(first(&routes, "/v1/orders/search"), Some((2, vec![])));
        assert_eq!(first(&routes, "/v1/orders/7"), Some((1, vec![("id", "7")])));
        assert_eq!(
            first(&routes, "/v1/refunds/7"),
            Some((0, vec![("kind", "refunds"), ("id", "7")]))
        );
    }

    #[test]
    fn routes_of_one_shape_are_one_route() {
        assert_eq!(shape(&segments("/v1/orders/{a}")), shape(&segments("/v1/orders/{b}")));
        assert_ne!(shape(&segments("/v1/orders/{a}")), shape(&segments("/v1/orders/a")));
    }
}
