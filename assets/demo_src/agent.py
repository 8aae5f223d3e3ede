"""TripWise, the travel and expense agent the demo traces come from.

usage: agent.py SESSION LLM_URL TRACE_ROOT WORKSPACE

Runs one session (one process, one `poml.set_trace` session folder under TRACE_ROOT): every
prompt is rendered by the real `poml` package, sent to the LLM at LLM_URL over HTTP (the fake
server next to this file), and the answer is saved with `poml.trace_artifact("response.json")`
(or `"error.txt"` when the call fails), as an application would. Tool calls are run here, with
canned results, and their ids go back to the model in the next prompt.
"""

import copy
import json
import random
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import poml
import poml.cli
from poml import Prompt

SESSION, LLM_URL, TRACE_ROOT, WORKSPACE = sys.argv[1:5]
PROMPTS = Path(WORKSPACE) / "prompts"
STYLES = Path(WORKSPACE) / "styles"
RNG = random.Random(SESSION)

TRAVELER = {
    "name": "Ana Souza",
    "first_name": "Ana",
    "employee_id": "E-10442",
    "department": "Field Engineering",
    "home_airport": "FRA",
    "loyalty": ["Miles & More 992 004 118"],
    "languages": ["pt", "de", "en"],
}
BASE = {"company": "Northwind Robotics GmbH", "today": "2025-05-09", "traveler": TRAVELER,
        "trip_id": "TR-2025-0412"}

TOOL_RESULTS = {
    ("search_flights", "FRA"): {"flights": [
        {"flight": "LH1166", "dep": "07:05", "arr": "09:10", "price_eur": 312.4, "cabin": "economy", "stops": 0},
        {"flight": "TP579", "dep": "10:20", "arr": "12:25", "price_eur": 289, "cabin": "economy", "stops": 0},
        {"flight": "LH1168", "dep": "16:55", "arr": "19:00", "price_eur": 355.9, "cabin": "economy", "stops": 0},
    ]},
    ("search_flights", "LIS"): {"flights": [
        {"flight": "LH1173", "dep": "18:40", "arr": "22:35", "price_eur": 298.1}]},
    ("search_hotels", None): [{"hotel": "Hotel Avenida Palace", "rate_eur": 163, "stars": 5},
                              {"hotel": "Lumiares", "rate_eur": 158.5, "stars": 4}],
    ("get_exchange_rate", None): {"base": "GBP", "quote": "EUR", "date": "2025-05-15", "rate": 1.1874},
    ("lookup_policy", "hotel_cap"): {"rule": "§ 3.4", "cap_eur": 165, "includes_taxes": True},
    ("lookup_policy", "meal_cap"): {"rule": "§ 4.2", "cap_eur": 50, "per": "person and day"},
    ("lookup_policy", "receipts"): {"rule": "§ 2.1", "required_above_eur": 10,
                                    "photo_ok": True},
}


def run_tool(name, arguments):
    key = arguments.get("origin") or arguments.get("topic")
    time.sleep(RNG.uniform(0.05, 0.3))  # the tool's own latency
    return copy.deepcopy(TOOL_RESULTS.get((name, key), TOOL_RESULTS.get((name, None))))


def think():
    """The application's own work between two calls."""
    time.sleep(RNG.uniform(0.05, 0.6))


def render(prompt, context=None, stylesheet=None):
    """One traced poml call; returns the request body for the LLM."""
    markup = PROMPTS / prompt if prompt.endswith(".poml") else prompt
    return poml.poml(markup, context=context, stylesheet=stylesheet, format="openai_chat")


def ask(step, body, api="openai"):
    """Send a rendered prompt to the LLM and attach its answer to the latest call."""
    body = dict(body)
    body.setdefault("model", "gpt-4o-mini")
    path = "/v1/messages" if api == "anthropic" else "/v1/chat/completions"
    request = urllib.request.Request(
        LLM_URL + path, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Demo-Step": step})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read().decode()
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read().decode())["error"]["message"]
        poml.trace_artifact("error.txt", f"HTTP {error.code} {error.reason}: {detail}\n")
        return None
    poml.trace_artifact("response.json", text)
    return json.loads(text)


def content(answer):
    return answer["choices"][0]["message"]["content"]


def tool_loop(step, request, plan=None, retry=False):
    """Call the tool-calling prompt until the model stops asking for tools."""
    rounds = []
    turn = 1
    while True:
        body = render("tool_caller.poml", {"request": request, "plan": plan, "rounds": rounds})
        if retry:
            retry = False
            if ask(f"{step}.{turn}.try", body) is None:
                time.sleep(0.12 + RNG.uniform(0.0, 0.1))  # as the error says: try again soon
                continue
        answer = ask(f"{step}.{turn}", body)
        think()
        calls = answer["choices"][0]["message"].get("tool_calls")
        if not calls:
            return content(answer)
        for call in calls:
            arguments = json.loads(call["function"]["arguments"])
            rounds.append({"id": call["id"], "name": call["function"]["name"],
                           "arguments": arguments,
                           "result": run_tool(call["function"]["name"], arguments)})
        turn += 1


def receipt(step, receipt_id, with_chart=False, extra_images=()):
    context = dict(BASE, receipt_id=receipt_id, with_chart=with_chart,
                   extra_images=list(extra_images))
    answer = ask(step, render("receipt_reader.poml", context))
    think()
    return json.loads(content(answer))


def lisbon():
    request = ("Plan my trip to Lisbon 12–15 May for the Banco Atlântico onboarding. "
               "Hotel near Avenida da Liberdade please.")
    plan = json.loads(content(ask("lisbon.plan", render("planner.poml", dict(BASE, request=request)))))
    think()
    tool_loop("lisbon.tools", request, plan)
    receipt("lisbon.receipt.R1", "R1", with_chart=True)
    receipt("lisbon.receipt.R6", "R6")
    verdict = json.loads(content(ask("lisbon.verify", render("verifier.poml", dict(BASE, meal_cap=50)))))
    think()
    itinerary = [{"day": "Mon 12", "what": "LH1166 FRA→LIS, check-in"},
                 {"day": "Tue 13", "what": "Workshop day 1"},
                 {"day": "Wed 14", "what": "Workshop day 2, team dinner"},
                 {"day": "Thu 15", "what": "LH1173 LIS→FRA"}]
    expenses = [{"date": "05-12", "category": "flight", "amount": 312.4, "currency": "EUR"},
                {"date": "05-12", "category": "hotel", "amount": 489, "currency": "EUR"},
                {"date": "05-15", "category": "flight", "amount": 298.1, "currency": "EUR"}]
    style = {"cp": {"captionStyle": "bold", "captionTextTransform": "upper"},
             ".itin": {"syntax": "csv"}}
    ask("lisbon.summary", render("summarizer.poml", {"itinerary": itinerary, "expenses": expenses,
                                                      "verdict": verdict}, style))
    think()
    ask("lisbon.chat", render("chat.poml", {
        "lang": "pt-PT", "first_name": "Ana",
        "last_user_message": "Ok, escreve-me a justificação do jantar de equipa 🍽️, por favor."}))
    poml.trace_artifact("feedback.json", json.dumps(
        {"rating": "thumbs_up", "by": "E-10442", "comment": "perfeito, obrigada!"}, indent=2))


def fx():
    markup = ("<poml><system-msg>You convert currencies using the given rate only.</system-msg>"
              "<human-msg>Convert {{ amount }} {{ src }} to {{ dst }} at {{ rate }}. "
              "Round to cents.</human-msg></poml>")
    for amount, src, rate in [(210, "GBP", 1.1874), (84.5, "CHF", 1.0412)]:
        ask(f"fx.{src}", render(markup, {"amount": amount, "src": src, "dst": "EUR", "rate": rate}))
        think()
    # The same prompt built with poml's Python API.
    prompt = Prompt()
    with prompt:
        with prompt.system_message():
            prompt.text("You convert currencies using the given rate only.")
        with prompt.human_message():
            prompt.text("Convert 1200 USD to EUR at 0.9231. Round to cents.")
    ask("fx.USD", {"messages": [
        {"role": {"system": "system", "human": "user", "ai": "assistant"}[m["speaker"]],
         "content": m["content"]} for m in prompt.render()]})


def receipts():
    total = 0
    for receipt_id in ["R2", "R3", "R4", "R5", "R7"]:
        data = receipt(f"receipts.{receipt_id}", receipt_id)
        total += 1
        request = (f"Is receipt {receipt_id} ({data['merchant'] or 'no merchant'}, "
                   f"{data['total']} {data['currency']}) within policy?")
        tool_loop(f"receipts.check.{receipt_id}", request, retry=receipt_id == "R4")
    try:
        # A bug kept on purpose: the prompt wants a Date, the context gives a string.
        ask("receipts.reminder", render("reminder.poml", dict(BASE, deadline="2025-06-01")))
    except RuntimeError as error:
        poml.trace_artifact("error.txt", f"{type(error).__name__}: {error}\n")
    think()
    for n in (1, 2):
        ask(f"receipts.verify.{n}", render("verifier.poml", dict(BASE, meal_cap=50 if n == 1 else 65)))
        think()
    ask("receipts.handbook", render("handbook_qa.poml",
                                    {"question": "Can I expense a lounge pass on a 2-hour layover?"}))
    think()
    # A one-off notice through the command line interface: an unnamed call.
    poml.cli.run("--input", "<poml><p>Batch done: {{ n }} receipts checked ✅</p></poml>",
                 "--context", f"n={total}", "--traceDir", str(poml.api._trace_dir), capture_output=True)
    ask("receipts.done", {"messages": [{"role": "user", "content": f"Batch done: {total} receipts checked ✅"}]})
    think()
    ask("receipts.summary", render("summarizer.poml", {
        "itinerary": [{"day": "Mon 12", "what": "Lisbon"}, {"day": "Thu 15", "what": "Frankfurt"}],
        "expenses": [{"date": "05-14", "category": "meal", "amount": 62.4, "currency": "EUR"}],
        "verdict": {"verdict": "approve", "violations": [], "total_eur": 1295.65}}))


def porto():
    body = render("translator.poml", {
        "targets": ["pt-PT", "de-DE", "ja-JP"],
        "phrases": [{"key": "greet", "en": "Welcome aboard, {name}! ✈️"},
                    {"key": "late", "en": "Your flight is delayed by {minutes} min ⏱️"}],
        "notes": "Keep {placeholders} as they are."})
    ask("porto.translate", {"model": "claude-sonnet-4-20250514", "max_tokens": 1024,
                            "messages": body["messages"][1:], "system": body["messages"][0]["content"]},
        api="anthropic")
    think()
    request = "Porto, 23–25 June, visiting the Matosinhos plant. Prefer morning flights. 🙏"
    ask("porto.plan", render("planner.poml", dict(BASE, today="2025-06-02", request=request),
                             STYLES / "compact.json"))
    think()
    for n in (1, 2, 3):
        ask(f"porto.ping.{n}", render("healthcheck.poml"))
        think()
    receipt("porto.receipt.R8", "R8", with_chart=True,
            extra_images=[str(Path(WORKSPACE) / "data" / "receipt_R7.png")])
    ask("porto.chat", render("chat.poml", {
        "lang": "de-DE", "first_name": "Ana",
        "last_user_message": "Kannst du mir das bitte auf Deutsch zusammenfassen? 🇩🇪"}))


def handbook():
    question = "Which cabin class may I book for a 6-hour flight?"
    ask("handbook.q1", render("handbook_qa.poml", {"question": question}))
    think()
    ask("handbook.chat", render("chat.poml", {
        "lang": "en-GB", "first_name": "Ana",
        "last_user_message": "Thanks! Can you sum that up in one sentence?"}))


SESSIONS = {"lisbon": lisbon, "fx": fx, "receipts": receipts, "porto": porto,
            "handbook": handbook}

if __name__ == "__main__":
    poml.set_trace(True, trace_dir=TRACE_ROOT)
    SESSIONS[SESSION]()
