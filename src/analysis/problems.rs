//! Every problem in the store, with where it belongs (no session, a session, a span), in the
//! order the tree shows them: what the problems view (`!`) lists and jumps to.

use crate::model::{Problem, SessionId, SpanId, Store};

/// One problem and the node it is attached to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub session: Option<SessionId>,
    pub span: Option<SpanId>,
    pub problem: Problem,
}

/// Problems that belong to no session first, then each session's own, then its spans' in
/// tree order.
pub fn all(store: &Store) -> Vec<Located> {
    let mut out: Vec<Located> = store
        .problems()
        .map(|problem| Located {
            session: None,
            span: None,
            problem: problem.clone(),
        })
        .collect();
    for (sid, session) in store.sessions() {
        if session.problem_count() == 0 {
            continue;
        }
        out.extend(session.problems().map(|problem| Located {
            session: Some(sid),
            span: None,
            problem: problem.clone(),
        }));
        for id in session.spans_in_order() {
            out.extend(session.span(id).problems.iter().map(|problem| Located {
                session: Some(sid),
                span: Some(id),
                problem: problem.clone(),
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SessionRecord, Source, SpanKind, SpanRecord, Update};

    fn span(key: &str, problems: Vec<Problem>) -> Update {
        Update::Span {
            session: "s".into(),
            span: SpanRecord {
                problems,
                ..SpanRecord::new(key, SpanKind::ToolCall, key)
            },
        }
    }

    #[test]
    fn lists_store_session_and_span_problems_in_tree_order() {
        let mut store = Store::new();
        store.apply_all([
            Update::Session(SessionRecord {
                key: "s".into(),
                id: "s".into(),
                source: Source::Pml,
                path: "events.jsonl".into(),
                start_ns: None,
                note: None,
            }),
            span("a", vec![]),
            span("b", vec![Problem::new("events.jsonl:2", "no end event")]),
            Update::Problems {
                session: Some("s".into()),
                origin: "file".into(),
                problems: vec![Problem::new("events.jsonl:9", "not JSON")],
            },
            Update::Problems {
                session: None,
                origin: "root".into(),
                problems: vec![Problem::new("traces/", "permission denied")],
            },
        ]);
        let sid = store.find_session("s").expect("session");
        let b = store.session(sid).and_then(|s| s.find("b"));
        let got: Vec<_> = all(&store)
            .into_iter()
            .map(|l| (l.session, l.span, l.problem.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, None, "traces/: permission denied".to_string()),
                (Some(sid), None, "events.jsonl:9: not JSON".to_string()),
                (Some(sid), b, "events.jsonl:2: no end event".to_string()),
            ]
        );
    }
}
