"""A stand-in LLM server for recording the demo: canned but plausible answers, real latency.

POST /v1/chat/completions answers as OpenAI's chat completions API does (a `ChatCompletion`,
with `tool_calls` when the script says so), POST /v1/messages as Anthropic's messages API does.
The agent names the step it is on in the `X-Demo-Step` header; the answer for that step is
in ANSWERS below. Each answer is delayed by a latency that grows with the prompt and the
answer, with some noise (80-900 ms), so the trace files carry a real timeline.

Prints "PORT <n>" once listening on 127.0.0.1 (a free port); stops on SIGTERM.
"""

import json
import random
import string
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RNG = random.Random(20251113)

# step -> ("text", content) | ("json", object) | ("tools", [(name, arguments), ...])
#       | ("anthropic_tool", name, input) | ("error", status, message)
ANSWERS = {
    # Session lisbon: plan, gather facts with tools, read receipts, audit, summarise, chat.
    "lisbon.plan": ("json", {
        "steps": ["search_flights FRA-LIS 2025-05-12", "lookup_policy hotel_cap Lisbon",
                  "search_hotels Lisbon Avenida da Liberdade", "search_flights LIS-FRA 2025-05-15"],
        "risks": ["hotel rates near Avenida da Liberdade often exceed the 165 € cap"],
    }),
    "lisbon.tools.1": ("tools", [("search_flights", {"origin": "FRA", "destination": "LIS",
                                                     "date": "2025-05-12", "cabin": "economy"})]),
    "lisbon.tools.2": ("tools", [("lookup_policy", {"topic": "hotel_cap", "city": "Lisbon"})]),
    "lisbon.tools.3": ("tools", [("search_hotels", {"city": "Lisbon", "near": "Avenida da Liberdade",
                                                    "check_in": "2025-05-12", "nights": 3,
                                                    "max_rate_eur": 165})]),
    "lisbon.tools.4": ("tools", [("search_flights", {"origin": "LIS", "destination": "FRA",
                                                     "date": "2025-05-15"})]),
    "lisbon.tools.5": ("text",
                       "Proposed trip, all within policy:\n"
                       "- Out: LH1166 FRA→LIS Mon 12 May 07:05–09:10, 312.40 €\n"
                       "- Hotel: Avenida Palace, 3 nights at 163 € (cap 165 €, § 3.4)\n"
                       "- Back: LH1173 LIS→FRA Thu 15 May 18:40–22:35, 298.10 €\n"
                       "Total 1,099.50 €. Shall I book?"),
    "lisbon.receipt.R1": ("json", {"merchant": "Táxis Lisboa", "date": "2025-05-12",
                                   "currency": "EUR", "total": 18.9, "category": "taxi"}),
    "lisbon.receipt.R6": ("json", {"merchant": "Cervejaria Ramiro", "date": "2025-05-14",
                                   "currency": "EUR", "total": 62.4, "category": "meal"}),
    "lisbon.verify": ("json", {"verdict": "needs_review",
                               "violations": [{"line": 6, "rule": "§ 4.2 meal cap"}],
                               "total_eur": 1272.05}),
    "lisbon.summary": ("text",
                       "• Lisbon onboarding 12–15 May went as planned (LH1166 / LH1173, Avenida Palace).\n"
                       "• Expenses 1,272.05 €; one meal (62.40 €) is over the 50 € cap.\n"
                       "• Needs your sign-off on the team-dinner justification."),
    "lisbon.chat": ("text",
                    "Claro, Ana! Aqui vai: «Jantar de equipa a 14/05 com o cliente Banco Atlântico "
                    "após o segundo dia de workshop; 4 pessoas, 62,40 € no total. Peço exceção ao "
                    "limite de 50 € (§ 4.2).» 🍽️"),
    # Session fx: inline prompts (poml writes them to temporary files).
    "fx.GBP": ("text", "210.00 GBP × 1.1874 = 249.35 EUR"),
    "fx.CHF": ("text", "84.50 CHF × 1.0412 = 87.98 EUR"),
    "fx.USD": ("text", "1,200.00 USD × 0.9231 = 1,107.72 EUR"),
    # Session receipts: a batch of receipts, each checked against the policy.
    "receipts.R2": ("json", {"merchant": "Táxis Lisboa", "date": "2025-05-12", "currency": "EUR",
                             "total": 18.9, "category": "taxi"}),
    "receipts.R3": ("json", {"merchant": "Hotel Avenida Palace", "date": "2025-05-15",
                             "currency": "EUR", "total": 489.0, "category": "hotel"}),
    "receipts.R4": ("json", {"merchant": "Pret A Manger Heathrow T2", "date": "2025-05-15",
                             "currency": "GBP", "total": 11.45, "category": "meal"}),
    "receipts.R5": ("json", {"merchant": None, "date": "2025-05-13", "currency": "EUR",
                             "total": 7.2, "category": "other"}),
    "receipts.R7": ("json", {"merchant": "Uber", "date": "2025-05-15", "currency": "EUR",
                             "total": 23.6, "category": "taxi"}),
    "receipts.check.R2.1": ("tools", [("lookup_policy", {"topic": "receipts"})]),
    "receipts.check.R2.2": ("text", "Yes: a taxi with a receipt, 18.90 €, no cap applies (§ 2.1)."),
    "receipts.check.R3.1": ("tools", [("lookup_policy", {"topic": "hotel_cap", "city": "Lisbon"})]),
    "receipts.check.R3.2": ("text", "Yes: 489 € for 3 nights is 163 € a night, under the 165 € cap (§ 3.4)."),
    "receipts.check.R4.1.try": ("error", 429,
                              "Rate limit reached for gpt-4o-mini in organization org-tripwise on "
                              "requests per min (RPM): Limit 500, Used 500, Requested 1. Please "
                              "try again in 120ms."),
    "receipts.check.R4.1": ("tools", [("get_exchange_rate", {"base": "GBP", "quote": "EUR",
                                                           "date": "2025-05-15"}),
                                    ("lookup_policy", {"topic": "meal_cap"})]),
    "receipts.check.R4.2": ("text", "Yes: 11.45 GBP is 13.60 € at 1.1874, under the 50 € meal cap (§ 4.2)."),
    "receipts.check.R5.1": ("text", "R5 has no merchant; under § 2.1 receipts below 10 € may be "
                                  "claimed without one. OK."),
    "receipts.check.R7.1": ("tools", [("lookup_policy", {"topic": "receipts"})]),
    "receipts.check.R7.2": ("text", "Yes: 23.60 € for a taxi with a receipt (§ 2.1)."),
    "receipts.verify.1": ("json", {"verdict": "needs_review",
                                   "violations": [{"line": 6, "rule": "§ 4.2 meal cap"},
                                                  {"line": 9, "rule": "§ 2.1 missing receipt"}],
                                   "total_eur": 1295.65}),
    "receipts.verify.2": ("json", {"verdict": "approve", "violations": [], "total_eur": 1295.65}),
    "receipts.handbook": ("text", "No. § 7.3: lounge passes are reimbursed only for layovers of "
                                  "four hours or more, or when the flight is delayed by over two hours."),
    "receipts.done": ("text", "Posted: batch done."),
    "receipts.summary": ("text",
                         "• 5 receipts read, 1,295.65 € in total.\n"
                         "• The 62.40 € dinner is justified and approved.\n"
                         "• Nothing else is outstanding."),
    # Session porto: translations (Anthropic), a plan, a flaky health check, images.
    "porto.translate": ("anthropic_tool", "submit_translations", {"translations": [
        {"key": "greet", "lang": "pt-PT", "text": "Bem-vindo a bordo, {name}! ✈️"},
        {"key": "greet", "lang": "de-DE", "text": "Willkommen an Bord, {name}! ✈️"},
        {"key": "greet", "lang": "ja-JP", "text": "ご搭乗ありがとうございます、{name}さん！✈️"},
        {"key": "late", "lang": "pt-PT", "text": "O seu voo está atrasado {minutes} min ⏱️"},
        {"key": "late", "lang": "de-DE", "text": "Ihr Flug hat {minutes} Min. Verspätung ⏱️"},
        {"key": "late", "lang": "ja-JP", "text": "フライトは{minutes}分遅れています ⏱️"},
    ]}),
    "porto.plan": ("json", {
        "steps": ["search_flights FRA-OPO 2025-06-23 morning", "lookup_policy hotel_cap Porto",
                  "search_hotels Porto Matosinhos", "search_flights OPO-FRA 2025-06-25"],
        "risks": [],
    }),
    "porto.ping.1": ("text", "PONG"),
    "porto.ping.2": ("error", 503, "The server had an error while processing your request. "
                                   "Sorry about that!"),
    "porto.ping.3": ("text", "PONG"),
    "porto.receipt.R8": ("json", {"merchant": "Comboios de Portugal", "date": "2025-06-23",
                                  "currency": "EUR", "total": 31.5, "category": "other"}),
    "porto.chat": ("text", "Gerne, Ana! Kurz gesagt: Porto 23.–25. Juni, Frühflug LH1176, "
                           "Hotel in Matosinhos, alles innerhalb der Richtlinie. 🇩🇪"),
    # Session handbook: questions answered from the full handbook (a big prompt).
    "handbook.q1": ("text", "§ 5.1: economy class on flights under 8 hours; premium economy "
                            "above that; business class needs VP approval."),
    "handbook.chat": ("text", "Of course! In short: economy for a 6-hour flight, premium economy "
                              "only from 8 hours (§ 5.1). 🙂"),
}


def ident(prefix, n=24):
    return prefix + "".join(RNG.choice(string.ascii_letters + string.digits) for _ in range(n))


def usage_openai(prompt_tokens, completion_tokens):
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0,
                                      "rejected_prediction_tokens": 0},
    }


def answer(step, request, prompt_tokens):
    """(status, body, completion_tokens) for a step."""
    kind, *rest = ANSWERS[step]
    model = str(request.get("model") or "gpt-4o-mini")
    if kind == "error":
        status, message = rest
        kinds = {429: "requests", 503: "server_error"}
        return status, {"error": {"message": message, "type": kinds.get(status, "api_error"),
                                  "param": None, "code": None}}, 0
    if kind == "anthropic_tool":
        name, tool_input = rest
        completion = len(json.dumps(tool_input, ensure_ascii=False)) // 3
        return 200, {
            "id": ident("msg_"),
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-20250514",
            "content": [{"type": "tool_use", "id": ident("toolu_"), "name": name,
                         "input": tool_input}],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": prompt_tokens, "output_tokens": completion,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }, completion
    message = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
    finish = "stop"
    if kind == "tools":
        message["tool_calls"] = [
            {"id": ident("call_"), "type": "function",
             "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}
            for name, arguments in rest[0]
        ]
        finish = "tool_calls"
        completion = 18 + 24 * len(rest[0])
    else:
        text = rest[0] if kind == "text" else json.dumps(rest[0], ensure_ascii=False)
        message["content"] = text
        completion = max(1, len(text) // 4)
    return 200, {
        "id": ident("chatcmpl-", 29),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": {"gpt-4o-mini": "gpt-4o-mini-2024-07-18",
                  "gpt-4o": "gpt-4o-2024-08-06"}.get(model, model),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": usage_openai(prompt_tokens, completion),
        "service_tier": "default",
        "system_fingerprint": ident("fp_", 10).lower(),
    }, completion


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        request = json.loads(raw or b"{}")
        step = self.headers.get("X-Demo-Step", "")
        if step not in ANSWERS:
            self.reply(400, {"error": {"message": f"no answer for step {step!r}"}})
            return
        # About 4 characters a token; an image costs a flat 85 tokens.
        images = raw.count(b"data:image/")
        prompt_tokens = len(raw) // 4 + 85 * images
        status, body, completion = answer(step, request, prompt_tokens)
        # Time to first token grows with the prompt, generation with the answer.
        latency = 0.05 + prompt_tokens / 8000 + completion / 120 + RNG.uniform(0.0, 0.2)
        time.sleep(min(0.9, max(0.08, latency)))
        self.reply(status, body)

    def reply(self, status, body):
        data = json.dumps(body, indent=2, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("fake_llm: " + (fmt % args) + "\n")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
