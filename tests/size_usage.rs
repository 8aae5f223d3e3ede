//! Size and cost per call on the real corpus: the token estimate and its growth from call to
//! call, the usage read from each `.response.json` (OpenAI and Anthropic shapes), the
//! session totals, in `dump` and on screen.

mod common;

use common::Harness;
use serde_json::Value;

fn dump() -> Value {
    common::dump_json(&[&common::corpus().join("pomlruns")])
}

/// The usage a response file states, read here independently of tracetui.
fn expected_usage(session: &Value, span: &Value) -> Value {
    let path = std::path::Path::new(session["path"].as_str().expect("path")).join(format!(
        "{}.response.json",
        span["id"].as_str().expect("id")
    ));
    let Ok(text) = std::fs::read(&path) else {
        return Value::Null;
    };
    let response: Value = serde_json::from_slice(&text).expect("response JSON");
    let u = &response["usage"];
    let input = u.get("prompt_tokens").or(u.get("input_tokens")).cloned();
    let output = u
        .get("completion_tokens")
        .or(u.get("output_tokens"))
        .cloned();
    let total = u.get("total_tokens").cloned().unwrap_or_else(|| {
        Value::from(
            input.as_ref().and_then(Value::as_u64).unwrap_or(0)
                + output.as_ref().and_then(Value::as_u64).unwrap_or(0),
        )
    });
    serde_json::json!({"input": input, "output": output, "total": total})
}

#[test]
fn estimate_growth_and_usage_in_the_dump() {
    let dump = dump();
    let mut with_usage = 0;
    let mut anthropic = false;
    for session in dump["sessions"].as_array().expect("sessions") {
        let spans = session["spans"].as_array().expect("spans");
        let mut previous: Option<u64> = None;
        let (mut input, mut output) = (0, 0);
        for span in spans {
            let id = span["id"].as_str().expect("id");
            match span["chars"].as_u64() {
                Some(chars) => {
                    let tokens = chars.div_ceil(4);
                    assert_eq!(span["tokens_est"], tokens, "{id}");
                    let growth = previous.map(|p| tokens as i64 - p as i64);
                    assert_eq!(span["tokens_growth"].as_i64(), growth, "{id}");
                    previous = Some(tokens);
                }
                None => assert!(span["tokens_est"].is_null(), "{id}"),
            }
            let expected = expected_usage(session, span);
            assert_eq!(span["usage"], expected, "{id}");
            if !expected.is_null() {
                with_usage += 1;
                input += expected["input"].as_u64().expect("input");
                output += expected["output"].as_u64().expect("output");
                anthropic |= id == "0001.translator";
            }
        }
        if input + output > 0 {
            assert_eq!(session["usage"]["input"], input, "{}", session["id"]);
            assert_eq!(session["usage"]["output"], output);
            assert_eq!(session["usage"]["total"], input + output);
        }
    }
    assert_eq!(with_usage, 37, "every response file of pomlruns");
    assert!(anthropic, "the Anthropic-shaped response was read");
    // Spot values from the files.
    let first = &dump["sessions"][0];
    assert_eq!(
        first["usage"],
        serde_json::json!({"input": 11650, "output": 2188, "total": 13838})
    );
    assert_eq!(first["spans"][0]["tokens_est"], 306);
    assert_eq!(first["spans"][1]["tokens_growth"], -211);
}

#[test]
fn text_dump_shows_size_and_usage() {
    let out = common::tracetui(&[
        "dump",
        &common::corpus().join("pomlruns").display().to_string(),
    ]);
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.contains("  usage: 11,650 in · 2,188 out\n"), "{text}");
    let planner = text
        .lines()
        .find(|l| l.contains("0002 tool_caller"))
        .expect("a call line");
    assert!(
        planner.ends_with("ok  ~95 tok −211  used 908 in · 256 out"),
        "{planner}"
    );
}

#[test]
fn prompt_pane_timeline_and_session_show_it() {
    let mut h = Harness::open(&[common::corpus().join("pomlruns")], "pomlruns", 200, 40);
    h.press("jj");
    let screen = h.screen();
    assert!(screen.contains("~95 tok −211 · used 908→256"), "{screen}");
    // The timeline, after each bar: the estimate, its growth, the reported counts.
    assert!(screen.contains("~306 tok · used 632→75"), "{screen}");
    assert!(screen.contains("~95 tok −211 · used 908→256"), "{screen}");
    // The session's row: totals.
    h.press("g");
    let screen = h.screen();
    assert!(
        screen.contains("usage: 11,650 in · 2,188 out · 13,838 total (reported)"),
        "{screen}"
    );
    assert!(
        screen.contains("prompts: ~2,429 tokens in all (estimated"),
        "{screen}"
    );
}
