//! MLflow's SQL store as its own rows say, read directly, and a dump's spans in the same
//! form; and the traces the MLflow fixtures log (`log_traces.py`: an agent with a chat
//! span, a failed trace) as a dump must show them.

use std::path::Path;

/// What the database says of each span: (trace, span id) -> (name, parent, type, status),
/// read directly.
pub type Rows =
    std::collections::BTreeMap<(String, String), (String, Option<String>, String, String)>;

pub fn rows(db: &Path) -> Rows {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    let mut stmt = conn
        .prepare("SELECT trace_id, span_id, name, parent_span_id, type, status FROM spans")
        .expect("query");
    stmt.query_map([], |r| {
        Ok((
            (r.get(0)?, r.get(1)?),
            (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
        ))
    })
    .expect("rows")
    .map(|r| r.expect("row"))
    .collect()
}

/// A dump's spans in the same form (MLflow writes UNKNOWN for no span type).
pub fn dumped(json: &serde_json::Value) -> Rows {
    let mut out = Rows::new();
    for session in json["sessions"].as_array().expect("sessions") {
        for span in session["spans"].as_array().expect("spans") {
            let s = |k: &str| span[k].as_str().map(String::from);
            out.insert(
                (
                    session["id"].as_str().unwrap_or_default().to_string(),
                    s("id").expect("id"),
                ),
                (
                    s("name").expect("name"),
                    s("parent"),
                    s("span_type").unwrap_or_else(|| "UNKNOWN".into()),
                    s("status").expect("status").to_uppercase(),
                ),
            );
        }
    }
    out
}

/// The logged traces in a dump: the agent's reported tokens and its chat span's
/// conversation, and the failed trace's exception.
pub fn assert_logged_traces(dump: &serde_json::Value) {
    let sessions = dump["sessions"].as_array().expect("sessions");
    let noted = |what: &str| {
        sessions
            .iter()
            .find(|s| s["note"].as_str().is_some_and(|n| n.contains(what)))
            .unwrap_or_else(|| panic!("the trace noted {what}"))
    };
    let agent = noted("agent_round_1");
    assert_eq!(agent["usage"]["input"], 10);
    // The chat the trace is a turn of, as the client recorded it.
    let note = agent["note"].as_str().unwrap_or_default();
    assert!(note.ends_with("· session chat-1"), "{note}");
    let chat = agent["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .find(|s| s["name"] == "chat")
        .expect("chat span");
    assert_eq!(chat["kind"], "chat_model");
    assert_eq!(chat["messages"][0]["role"], "user");
    let broken = noted("broken_round_1");
    assert_eq!(broken["spans"][0]["exception"], "ValueError: boom");
}
