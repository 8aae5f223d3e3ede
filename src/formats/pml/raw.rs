//! One PML event as it appears on a line, for every shape PML writes: the documented event,
//! sandbox `*_start`/`*_end` events, execution traces (wire and stored, camel and snake
//! case) and SSE payloads. Fields borrow from the line; payloads stay raw JSON.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// An id given as a string or a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Id<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or number id")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Id(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// A time given as milliseconds since the epoch (a number) or an ISO 8601 string, kept as
/// exact nanoseconds (epoch milliseconds do not survive a trip through `f64` nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Millis(pub i64);

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("milliseconds since the epoch or an ISO 8601 time")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Millis, E> {
                Ok(Millis::new(ms_f64_to_ns(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
                let ms = i64::try_from(v).unwrap_or(i64::MAX);
                Ok(Millis::new(ms.saturating_mul(1_000_000)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                Ok(Millis::new(v.saturating_mul(1_000_000)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Millis, E> {
                if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
                    return t
                        .timestamp_nanos_opt()
                        .map(Millis::new)
                        .ok_or_else(|| E::custom(format!("time out of range: {v:?}")));
                }
                v.trim()
                    .parse::<f64>()
                    .map(|ms| Millis::new(ms_f64_to_ns(ms)))
                    .map_err(|_| E::custom(format!("not a time: {v:?}")))
            }
        }
        d.deserialize_any(V)
    }
}

/// Whole milliseconds exactly, the fraction to the nearest nanosecond. Saturating: past
/// ~9.2e12 ms the whole part alone saturates and the fraction must not overflow it.
fn ms_f64_to_ns(ms: f64) -> i64 {
    let whole = ms.trunc();
    let fraction = ((ms - whole) * 1e6).round() as i64;
    (whole as i64)
        .saturating_mul(1_000_000)
        .saturating_add(fraction)
}

impl Millis {
    /// Kept within `TIME_LIMIT`: a trace's times are untrusted.
    pub fn new(ns: i64) -> Self {
        Self(crate::model::time::clamp_time(ns))
    }

    pub fn ns(self) -> i64 {
        self.0
    }
}

/// `tool` as `{server, name}` or as `"server:name"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolName<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for ToolName<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ToolName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tool: \"server:name\" or {server, name}")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ToolName(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ToolName(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // `Id` borrows from the input where it can; a plain `Cow` would allocate.
                let mut server: Option<Cow<'de, str>> = None;
                let mut name: Option<Cow<'de, str>> = None;
                while let Some(key) = map.next_key::<Id<'de>>()? {
                    match &*key.0 {
                        "server" => server = map.next_value::<Option<Id<'de>>>()?.map(|i| i.0),
                        "name" => name = map.next_value::<Option<Id<'de>>>()?.map(|i| i.0),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(ToolName(match (server, name) {
                    (Some(s), Some(n)) => Cow::Owned(format!("{s}:{n}")),
                    (None, Some(n)) => n,
                    (Some(s), None) => s,
                    (None, None) => Cow::Borrowed("?"),
                }))
            }
        }
        d.deserialize_any(V)
    }
}

/// Every field any PML shape uses; absent ones stay `None`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawEvent<'a> {
    #[serde(borrow)]
    pub id: Option<Id<'a>>,
    #[serde(rename = "type", borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(alias = "executedAt", alias = "executed_at")]
    pub timestamp: Option<Millis>,
    pub ts: Option<Millis>,
    #[serde(alias = "durationMs", alias = "executionTimeMs")]
    pub duration_ms: Option<f64>,
    #[serde(alias = "parentId", borrow)]
    pub parent_id: Option<Id<'a>>,
    #[serde(alias = "rootId", borrow)]
    pub root_id: Option<Id<'a>>,
    #[serde(alias = "traceId", borrow)]
    pub trace_id: Option<Id<'a>>,
    #[serde(alias = "parentTraceId", borrow)]
    pub parent_trace_id: Option<Id<'a>>,
    #[serde(borrow)]
    pub tool: Option<ToolName<'a>>,
    #[serde(alias = "toolId", borrow)]
    pub tool_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub capability: Option<Cow<'a, str>>,
    #[serde(alias = "capabilityId", borrow)]
    pub capability_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub status: Option<Cow<'a, str>>,
    pub success: Option<bool>,
    #[serde(alias = "errorMessage", borrow)]
    pub error: Option<&'a RawValue>,
    #[serde(alias = "args", borrow)]
    pub input: Option<&'a RawValue>,
    #[serde(alias = "result", alias = "resultSummary", borrow)]
    pub output: Option<&'a RawValue>,
    #[serde(alias = "taskResults", borrow)]
    pub task_results: Option<Vec<RawTask<'a>>>,
}

/// One entry of an execution trace's `taskResults`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawTask<'a> {
    #[serde(alias = "taskId", borrow)]
    pub task_id: Option<Id<'a>>,
    #[serde(borrow)]
    pub tool: Option<ToolName<'a>>,
    #[serde(alias = "resolvedTool", borrow)]
    pub resolved_tool: Option<Cow<'a, str>>,
    pub success: Option<bool>,
    #[serde(alias = "durationMs")]
    pub duration_ms: Option<f64>,
    pub timestamp: Option<Millis>,
    #[serde(alias = "layerIndex")]
    pub layer_index: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_event() {
        let line = r#"{"id":"evt_abc123","type":"tool_call","timestamp":1699900000000,"duration_ms":15,
            "parent_id":"evt_xyz789","root_id":"cap_001","tool":{"server":"filesystem","name":"read_file"},
            "input":{"path":"data.json"},"output":{"content":"..."},"status":"success"}"#;
        let e: RawEvent = serde_json::from_str(line).expect("parses");
        assert_eq!(e.id.map(|i| i.0), Some("evt_abc123".into()));
        assert_eq!(e.tool.map(|t| t.0), Some("filesystem:read_file".into()));
        assert_eq!(e.timestamp.map(Millis::ns), Some(1_699_900_000_000_000_000));
        assert_eq!(e.duration_ms, Some(15.0));
        assert_eq!(e.input.map(RawValue::get), Some(r#"{"path":"data.json"}"#));
    }

    #[test]
    fn sandbox_and_execution_trace_shapes() {
        let e: RawEvent = serde_json::from_str(
            r#"{"type":"tool_end","traceId":"t1","ts":1000,"success":false,"durationMs":5,
                "error":"boom","tool":"github:create_issue","parentTraceId":"c1","result":null}"#,
        )
        .expect("parses");
        assert_eq!(e.trace_id.map(|i| i.0), Some("t1".into()));
        assert_eq!(e.parent_trace_id.map(|i| i.0), Some("c1".into()));
        assert_eq!(e.error.map(RawValue::get), Some(r#""boom""#));
        let t: RawEvent = serde_json::from_str(
            r#"{"traceId":"0190","success":true,"durationMs":412,"timestamp":"2025-11-02T10:15:03.412Z",
                "taskResults":[{"taskId":"t1","tool":"filesystem:read_file","durationMs":38,
                "timestamp":"2025-11-02T10:15:03.050Z","layerIndex":0}]}"#,
        )
        .expect("parses");
        let tasks = t.task_results.expect("tasks");
        assert_eq!(tasks[0].layer_index, Some(0));
        assert_eq!(
            t.timestamp.map(|m| m.ns() % 1_000_000_000),
            Some(412_000_000)
        );
        // Epoch milliseconds stay exact in nanoseconds, fractions too.
        let m: Millis = serde_json::from_str("1700000000010").expect("int");
        assert_eq!(m.ns(), 1_700_000_000_010_000_000);
        let m: Millis = serde_json::from_str("1700000000010.5").expect("float");
        assert_eq!(m.ns(), 1_700_000_000_010_500_000);
        // Absurd times saturate at the limit instead of overflowing (a fuzzer found
        // 9.3e12+0.5 ms: a saturated whole part plus a fraction).
        use crate::model::time::TIME_LIMIT;
        for (text, ns) in [
            ("9300000000000.5", TIME_LIMIT),
            ("-9300000000000.5", -TIME_LIMIT),
            ("1e300", TIME_LIMIT),
            ("18446744073709551615", TIME_LIMIT),
            ("\"2262-04-11T23:47:16.854775807Z\"", TIME_LIMIT),
        ] {
            let m: Millis = serde_json::from_str(text).expect("a time");
            assert_eq!(m.ns(), ns, "{text}");
        }
        // Stored traces use snake case and numeric ids.
        let s: RawEvent = serde_json::from_str(
            r#"{"id":7,"duration_ms":3,"task_results":[],"executed_at":"2025-11-02T10:15:03Z"}"#,
        )
        .expect("parses");
        assert_eq!(s.id.map(|i| i.0), Some("7".into()));
        assert!(s.task_results.is_some());
    }
}
