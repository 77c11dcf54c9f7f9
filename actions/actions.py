"""Custom actions: thin adapters between Rasa's tracker and bot.records / bot.content.

Every database write happens in one transaction (session_scope) inside bot.records; these classes only read
slots, call one service function and say the result. Identity details never outlive the check: the raw
reference and date of birth slots are replaced by a marker as soon as the check is done.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content import data_map_svg, messages
from bot.content import task_text as texts
from bot.content.build import rest_response, section_of, topic_response
from bot.content.loader import content
from bot.content.models import Purpose
from bot.privacy.sealing import is_sealed, seal, unseal
from bot.privacy.tracker_store import NOT_KEPT
from bot.records import holdings, reviews, service
from bot.records.db import session_scope
from bot.records.identity import dob_in, normalise_reference, parse_dob
from bot.tasks import INTENT_TASKS

logger = logging.getLogger(__name__)

CHECKED = "[checked]"
TASK_FORMS = {
    "consent": "consent_form",
    "objection": "objection_form",
    "access": "access_form",
    "rectification": "error_form",
    "request_status": "request_status_form",
    "reviews": "reviews_form",
    "review": "review_form",
}
FORMS = {"identity_form", *TASK_FORMS.values()}
TASK_SLOTS = ["purpose", "level", "confirm", "error_what", "error_where", "error_should", "request_reference",
              "review_channel", "review_number", "review_answer", "review_answers"]
MAX_FREE_TEXT = 1000
TEXT_CHANNELS = ("sms", "whatsapp")  # short forms: a phone screen, and SMS segments cost
# Buttons: (title key in content/messages/<lang>/buttons.yml, payload)
REPORT_NEXT_STEPS = [
    ("buttons.change_my_choices", "/change_consent"),
    ("buttons.opt_out_of_one", "/opt_out"),
    ("buttons.risk_scores", '/show_topic{"topic_id":"predictive_analytics"}'),
]
YES_NO = [("buttons.yes", "/affirm"), ("buttons.no", "/deny")]
DATA_MAP_NEXT_STEPS = [
    ("buttons.see_all_my_data", "/request_data"),
    ("buttons.fix_a_mistake", "/report_error"),
    ("buttons.opt_out_of_one", "/opt_out"),
    ("buttons.ask_each_year", "/review_reminders"),
]
REVIEW_CHANNELS = [("buttons.text_message", "sms"), ("buttons.whatsapp", "whatsapp")]
KEEP = "keep"
THIS_NUMBER = ("this number", "this one", "same number", "this phone")


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


def _lang(tracker: Tracker) -> str:
    """The conversation's language (the `language` slot: "en" or "cy"), for content/messages/<lang>/."""
    return tracker.get_slot("language") or "en"


def _purposes(task: str | None = None) -> list[Purpose]:
    purposes = [p for p in content().council.purposes if p.choice != "none"]
    if task == "consent":
        purposes = [p for p in purposes if p.levels]
    return purposes


def _purpose(purpose_id: str | None) -> Purpose | None:
    for p in content().council.purposes:
        if p.id == purpose_id:
            return p
    return None


def _option_words(*texts: str) -> list[str]:
    words: list[str] = []
    for text in texts:
        words += [w for w in text.lower().replace("_", " ").replace("-", " ").split() if len(w) > 3]
    return words


def _due_if_sent_now() -> dt.datetime:
    return service.due_date(dt.datetime.now(dt.timezone.utc))


def _reset_task_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in TASK_SLOTS]


class ActionStartTask(Action):
    def name(self) -> str:
        return "action_start_task"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # Asked for by the parent's last message, or resumed after the identity check.
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        asked = INTENT_TASKS.get(intent) if tracker.latest_action_name == "action_listen" else None
        task = asked or tracker.get_slot("pending_task")
        if tracker.get_slot("identity_locked") and not tracker.get_slot("verified"):
            return self._paused(dispatcher, tracker, task)
        if not task:
            dispatcher.utter_message(response="utter_help")
            return []
        events = [SlotSet("pending_task", task)]
        if asked and tracker.get_slot("task_paused"):  # a new request replaces the one a crisis reply paused
            events += [SlotSet("task_paused", False), SlotSet("paused_form", None)]
        if not tracker.get_slot("verified"):
            # identity_form runs next (rule); then this action again
            return [*events, *self._start_identity_check(dispatcher, tracker, task)]
        if task == "status":
            return self._status(dispatcher, tracker)  # keeps pending_task "status": a rule then waits
        if task == "data_map":
            show_data_map(dispatcher, tracker)
            return [SlotSet("pending_task", "data_map")]  # a rule then waits, as for the status report
        if task == "stop_reviews":
            with session_scope() as session:
                had = reviews.unsubscribe(session, family_id=tracker.get_slot("family_id"),
                                          conversation_id=tracker.sender_id, via=_channel(tracker))
            dispatcher.utter_message(text=texts.reviews_stopped(had, lang=_lang(tracker)))
            return [SlotSet("pending_task", "stop_reviews")]
        if task == "review":  # the map first, then each choice (review_form, by pending_task)
            dispatcher.utter_message(text=texts.review_intro(lang=_lang(tracker)))
            show_data_map(dispatcher, tracker, next_steps=False)
            return [*events, *_reset_task_slots(), SlotSet("review_answers", {})]
        if task not in TASK_FORMS:
            dispatcher.utter_message(response="utter_help")
            return [SlotSet("pending_task", None)]
        return [*events, *_reset_task_slots()]  # the task's form starts next (rule, by pending_task)

    @staticmethod
    def _paused(dispatcher: CollectingDispatcher, tracker: Tracker, task: str | None) -> list[EventType]:
        """Identity checks were paused after too many tries: say so, or start again once the pause is over."""
        just_paused = tracker.latest_action_name != "action_listen"  # the identity form has just ended
        if not just_paused:
            with session_scope() as session:
                just_paused = service.conversation_locked_until(session, tracker.sender_id) is not None
        if just_paused:
            dispatcher.utter_message(text=texts.identity_locked(content(), lang=_lang(tracker)))
            return [SlotSet("pending_task", task)] if task else []
        if not task:
            dispatcher.utter_message(response="utter_help")
            return [SlotSet("identity_locked", False)]
        # The pause is over: check again. (The rules for a paused conversation end here, so the identity form
        # is started directly.)
        return [
            SlotSet("pending_task", task),
            SlotSet("identity_locked", False),
            *ActionStartTask._start_identity_check(dispatcher, tracker, task),
            FollowupAction("identity_form"),
        ]

    @staticmethod
    def _start_identity_check(dispatcher: CollectingDispatcher, tracker: Tracker, task: str | None) -> list[EventType]:
        """Say which task this is, what it will ask and why, and empty the answers of any earlier check
        (identity_form asks next)."""
        dispatcher.utter_message(text=texts.identity_intro(task, lang=_lang(tracker)))
        return [SlotSet("identity_reference", None), SlotSet("identity_dob", None)]

    def _status(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        with session_scope() as session:
            choices = service.get_choices(
                session,
                family_id=tracker.get_slot("family_id"),
                conversation_id=tracker.sender_id,
                channel=_channel(tracker),
            )
        chosen = {k: v.choice for k, v in choices.items()}
        if _channel(tracker) in TEXT_CHANNELS:
            dispatcher.utter_message(text=texts.status_summary(content(), chosen, lang=_lang(tracker)))
        else:
            *chunks, last = texts.status_report(content(), chosen, lang=_lang(tracker))
            for chunk in chunks:
                dispatcher.utter_message(text=chunk)
            dispatcher.utter_message(text=last, buttons=messages.buttons(REPORT_NEXT_STEPS, _lang(tracker)))
        return [SlotSet("pending_task", "status")]


class ActionSubmitTask(Action):
    def name(self) -> str:
        return "action_submit_task"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        task = tracker.get_slot("pending_task")
        done = [*_reset_task_slots(), SlotSet("pending_task", None)]
        if not tracker.get_slot("verified") or not tracker.get_slot("family_id"):
            dispatcher.utter_message(response="utter_help")
            return done
        if task == "request_status":
            self._request_status(dispatcher, tracker)
            return done
        if task == "review":
            self._review(dispatcher, tracker)
            return done
        if task == "objection" and tracker.get_slot("request_reference"):  # already sent: validate_purpose said so
            return done
        if tracker.get_slot("confirm") is not True:
            dispatcher.utter_message(text=texts.not_sent(lang=_lang(tracker)))
            return done
        common = {
            "family_id": tracker.get_slot("family_id"),
            "conversation_id": tracker.sender_id,
            "channel": _channel(tracker),
        }
        with session_scope() as session:
            if task == "consent":
                view = service.set_choice(
                    session, purpose_id=tracker.get_slot("purpose"), choice=tracker.get_slot("level"), **common
                )
            elif task == "objection":
                view = service.register_request(
                    session, type="objection", purpose=tracker.get_slot("purpose"), **common
                )
            elif task == "access":
                view = service.register_request(session, type="access", **common)
            elif task == "rectification":
                view = service.register_request(session, type="rectification", details=_error_details(tracker),
                                                **common)
            elif task == "reviews":
                chosen = reviews.subscribe(
                    session, family_id=common["family_id"], channel=tracker.get_slot("review_channel"),
                    number=unseal(tracker.get_slot("review_number")) or "",
                    interval_months=content().council.consent_review_months,
                    conversation_id=tracker.sender_id, via=common["channel"],
                )
                dispatcher.utter_message(text=texts.reviews_done(chosen.next_due_at.date(), lang=_lang(tracker)))
                return done
            else:
                dispatcher.utter_message(response="utter_help")
                return done
        # The confirmation is only sent after the transaction above has committed.
        dispatcher.utter_message(text=texts.request_done(view.type, view.reference, view.due_at, lang=_lang(tracker)))
        return done

    def _review(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        family_id = tracker.get_slot("family_id")
        answers = dict(tracker.get_slot("review_answers") or {})
        with session_scope() as session:
            current = _current_choices(session, family_id)
            kept, changed = reviews.complete_review(
                session, family_id=family_id, answers={k: v for k, v in answers.items() if k in current},
                current=current, interval_months=content().council.consent_review_months,
                conversation_id=tracker.sender_id, via=_channel(tracker),
            )
            chosen = reviews.subscription(session, family_id=family_id)
        dispatcher.utter_message(text=texts.review_done(kept, changed, chosen.next_due_at.date() if chosen else None,
                                                        lang=_lang(tracker)))

    def _request_status(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        with session_scope() as session:
            view = service.get_request(
                session,
                family_id=tracker.get_slot("family_id"),
                reference=tracker.get_slot("request_reference"),
                conversation_id=tracker.sender_id,
                channel=_channel(tracker),
            )
        if view is None:
            dispatcher.utter_message(text=texts.request_not_found(lang=_lang(tracker)))
            return
        history = [(e.at, e.status) for e in view.history]
        dispatcher.utter_message(text=texts.request_status(view.type, view.reference, view.status, view.due_at, history,
                                                           lang=_lang(tracker)))


class ActionCancelTask(Action):
    def name(self) -> str:
        return "action_cancel_task"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("pending_task", None),
                                   SlotSet("task_paused", False), SlotSet("paused_form", None)]
        if not tracker.get_slot("verified"):
            events += [SlotSet("identity_reference", None), SlotSet("identity_dob", None)]
        return events + _reset_task_slots()


class ActionPauseTask(Action):
    """After a crisis reply inside a form: stop the form, keep its answers, and offer to carry on or stop. The next
    message is then not taken as the form's answer ("ok im safe now, police are here" is not a family reference)."""

    def name(self) -> str:
        return "action_pause_task"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        form = tracker.active_loop.get("name") if tracker.active_loop else None
        if not form:
            dispatcher.utter_message(response="utter_still_here")
            return []
        dispatcher.utter_message(response="utter_task_paused")
        return [ActiveLoop(None), SlotSet("task_paused", True), SlotSet("paused_form", form)]


class ActionResumeTask(Action):
    """"Carry on" after a pause: the paused form asks its next question (its answers so far are kept)."""

    def name(self) -> str:
        return "action_resume_task"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        form = tracker.get_slot("paused_form")
        events: list[EventType] = [SlotSet("task_paused", False), SlotSet("paused_form", None)]
        if form not in FORMS:
            dispatcher.utter_message(response="utter_help")
            return events
        return [*events, FollowupAction(form)]


class ActionSwitchLanguage(Action):
    """"Cymraeg", "English please": say, in the new language, that the assistant now writes in it (the slot
    `language` is already set, from the message's entity). Inside a form, a rule then runs the form again, which
    asks its question again (data/rules/interruptions.yml); a task paused by a crisis reply asks again whether to
    carry on."""

    def name(self) -> str:
        return "action_switch_language"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        channel = _channel(tracker)
        language = tracker.get_slot("language") or "en"
        dispatcher.utter_message(text=messages.say("language.switched", language, channel))
        if tracker.get_slot("task_paused") and not tracker.active_loop:
            dispatcher.utter_message(response="utter_task_paused")
        return []


class ActionShowTopic(Action):
    def name(self) -> str:
        return "action_show_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        topic_id = tracker.get_slot("topic_id")
        if topic_id in content().topic_ids:
            dispatcher.utter_message(response=topic_response(topic_id))
        else:
            dispatcher.utter_message(response="utter_default")
        return [SlotSet("topic_id", None)]


def _section_just_sent(tracker: Tracker) -> tuple[str, str] | None:
    """(topic id, section id) when the parent's message before this one was answered with one section of a topic
    page (the topic selector named a section response, bot/nlp/components.py TopicSelector); else None."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    before = users[-2].get("parse_data") or {}
    if (before.get("intent") or {}).get("name") != "topic":
        return None
    chosen = ((before.get("response_selector") or {}).get("topic") or {}).get("response") or {}
    shown = section_of(chosen.get("utter_action"))
    topic_ids = content().topic_ids
    if shown is None or shown[0] not in topic_ids:
        return None
    if shown[1] not in [s.id for s in content().topic(shown[0]).sections]:
        return None
    return shown


class ActionShowMore(Action):
    """ "more" (typed, or MORE on SMS when the channel kept nothing back) right after one section of a topic page:
    the rest of that page. After anything else there is no rest to give, and it says so."""

    def name(self) -> str:
        return "action_show_more"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        shown = _section_just_sent(tracker)
        if shown is None:
            dispatcher.utter_message(response="utter_nothing_more")
        else:
            dispatcher.utter_message(response=rest_response(*shown))
        return []


class ActionTalkToPerson(Action):
    def name(self) -> str:
        return "action_talk_to_person"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=texts.talk_to_person(content(), lang=_lang(tracker)))
        return []


ASKED_TOPIC_SURE = 0.5  # the topic selector's confidence above which a message that is no answer is taken as a question


def _asked_topic(tracker: Tracker) -> str | None:
    """The topic a message asks about ("does early help mean social services get involved?"), when the classifier
    took it for a topic question and the topic selector is fairly sure; else None. A form whose answer this message is
    not answers the question, then asks its own again, instead of saying "that does not look like a reference"."""
    latest = tracker.latest_message or {}
    if (latest.get("intent") or {}).get("name") != "topic":
        return None
    chosen = ((latest.get("response_selector") or {}).get("topic") or {}).get("response") or {}
    key, confidence = chosen.get("intent_response_key"), chosen.get("confidence") or 0.0
    topic_id = key.split("/", 1)[1] if isinstance(key, str) and key.startswith("topic/") else None
    return topic_id if topic_id in content().topic_ids and confidence >= ASKED_TOPIC_SURE else None


def _answer_question_or(dispatcher: CollectingDispatcher, tracker: Tracker, not_an_answer: str) -> None:
    """A form's answer could not be read: answer the question it may be (the form then asks again), or say why not."""
    topic_id = _asked_topic(tracker)
    if topic_id:
        dispatcher.utter_message(response=f"utter_topic/{topic_id}")
    else:
        dispatcher.utter_message(text=not_an_answer)


class ValidateIdentityForm(FormValidationAction):
    """Checks the family reference and a child's date of birth. One reply for unknown and wrong details."""

    def name(self) -> str:
        return "validate_identity_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # While checks are paused after too many tries, the form asks nothing and ends at once.
        return [] if tracker.get_slot("identity_locked") else domain_slots

    def validate_identity_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # the slot was just emptied (the form is starting): nothing was typed yet
            return {"identity_reference": None}
        reference = normalise_reference(str(value))
        if reference is None:
            _answer_question_or(dispatcher, tracker, texts.reference_not_recognised(content(), lang=_lang(tracker)))
            return {"identity_reference": None}
        dob = dob_in(str(value))
        if dob is not None:  # "DEMO-1003, 9/1/2021": both at once, so the date of birth is not asked for again
            return self._verify(reference, dob, dispatcher, tracker)
        # Sealed, so the reference never sits readable in the conversation store between the two questions.
        return {"identity_reference": seal(reference)}

    def validate_identity_dob(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"identity_dob": None}
        if parse_dob(str(value)) is None:
            _answer_question_or(dispatcher, tracker, texts.date_not_recognised(lang=_lang(tracker)))
            return {"identity_dob": None}
        return self._verify(unseal(tracker.get_slot("identity_reference")) or "", str(value), dispatcher, tracker)

    @staticmethod
    def _verify(reference: str, dob: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Checks the pair against the records; says whether it matched."""
        with session_scope() as session:
            result = service.verify_identity(
                session,
                reference_text=reference,
                dob_text=dob,
                conversation_id=tracker.sender_id,
                channel=_channel(tracker),
            )
        if result.status == "verified":
            dispatcher.utter_message(text=texts.verified(lang=_lang(tracker)))
            return {"identity_reference": CHECKED, "identity_dob": CHECKED, "verified": True,
                    "family_id": result.family_id}
        if result.status == "locked":  # action_start_task says so, once, after the form ends
            return {"identity_reference": CHECKED, "identity_dob": CHECKED, "identity_locked": True,
                    "pending_task": None}
        dispatcher.utter_message(text=texts.identity_failed(lang=_lang(tracker)))
        return {"identity_reference": None, "identity_dob": None}


def _purpose_options(task: str | None) -> dict[str, list[str]]:
    return {p.id: _option_words(p.id, p.name) for p in _purposes(task)}


def _open_objection(tracker: Tracker, purpose: str) -> service.RequestView | None:
    if not tracker.get_slot("family_id"):
        return None
    with session_scope() as session:
        return service.open_objection(session, family_id=tracker.get_slot("family_id"), purpose=purpose,
                                      conversation_id=tracker.sender_id, channel=_channel(tracker))


class _PurposeValidation:
    """Shared by the consent and objection forms (a mixin, so rasa_sdk does not register it as an action)."""

    task = ""

    def validate_purpose(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"purpose": None}
        chosen = texts.match_option(str(value), _purpose_options(self.task))
        if chosen is None:
            purpose = texts.match_option(str(value or ""), _purpose_options(None))
            if purpose and self.task == "consent":
                dispatcher.utter_message(text=texts.no_choice_offered(_purpose(purpose), content(),
                                                                      lang=_lang(tracker)))
            else:
                _answer_question_or(dispatcher, tracker, texts.purpose_not_recognised(lang=_lang(tracker)))
            return {"purpose": None}
        if self.task == "objection" and (already := _open_objection(tracker, chosen)) is not None:
            # Told now instead of asked to send it again; the form ends and action_submit_task sends nothing.
            dispatcher.utter_message(text=texts.already_objected(
                _purpose(chosen), already.reference, already.created_at, already.due_at, already.is_overdue(),
                content(), lang=_lang(tracker)))
            return {"purpose": chosen, "confirm": False, "request_reference": already.reference}
        return {"purpose": chosen}


class ValidateObjectionForm(_PurposeValidation, FormValidationAction):
    task = "objection"

    def name(self) -> str:
        return "validate_objection_form"


class ValidateConsentForm(_PurposeValidation, FormValidationAction):
    task = "consent"

    def name(self) -> str:
        return "validate_consent_form"

    def validate_level(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        purpose = _purpose(tracker.get_slot("purpose"))
        if purpose is None or value is None:
            return {"level": None}
        options = {lv.id: _option_words(lv.id, lv.label) for lv in purpose.levels}
        chosen = texts.match_option(str(value or ""), options)
        if chosen is None:
            _answer_question_or(dispatcher, tracker, texts.level_not_recognised(lang=_lang(tracker)))
            return {"level": None}
        return {"level": chosen}


ERROR_SLOTS = ("error_what", "error_where", "error_should")


def _error_details(tracker: Tracker) -> dict[str, str]:
    """What the parent said about the mistake, as they wrote it: the confirmation shows it and the request stores
    it. The form keeps each answer sealed (ValidateErrorForm), so the conversation store, which redacts what it
    can read, holds none of it and the council still gets "her name is Aimee Jones, born 09/01/2021" rather than
    "her name is [NAME], [NAME] [DATE]"."""
    def read(value: Any) -> str:
        return (unseal(value, max_age_s=None) if is_sealed(value) else value) or ""

    return {slot: read(tracker.get_slot(slot)) for slot in ERROR_SLOTS}


class ValidateErrorForm(FormValidationAction):
    def name(self) -> str:
        return "validate_error_form"

    def _free_text(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        text = " ".join(str(value).split())
        if not text:
            dispatcher.utter_message(text=texts.free_text_empty(lang=_lang(tracker)))
            return {slot: None}
        # Sealed: the tracker store would redact the names, dates and numbers that are the correction itself.
        return {slot: seal(text[:MAX_FREE_TEXT])}

    def validate_error_what(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        return self._free_text("error_what", value, dispatcher, tracker)

    def validate_error_where(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return self._free_text("error_where", value, dispatcher, tracker)

    def validate_error_should(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return self._free_text("error_should", value, dispatcher, tracker)


class ValidateRequestStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_request_status_form"

    def validate_request_reference(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {"request_reference": None}
        reference = service.normalise_request_reference(str(value))
        if reference is None:
            _answer_question_or(dispatcher, tracker, texts.request_not_found(lang=_lang(tracker)))
            return {"request_reference": None}
        return {"request_reference": reference}


class ActionAskPurpose(Action):
    def name(self) -> str:
        return "action_ask_purpose"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        task = tracker.get_slot("pending_task")
        buttons = [{"title": p.name, "payload": p.id} for p in _purposes(task)]
        dispatcher.utter_message(text=texts.ask_purpose(task, lang=_lang(tracker)), buttons=buttons)
        return []


class ActionAskLevel(Action):
    def name(self) -> str:
        return "action_ask_level"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        purpose = _purpose(tracker.get_slot("purpose"))
        if purpose is None:
            return []
        buttons = [{"title": lv.label, "payload": lv.id} for lv in purpose.levels]
        dispatcher.utter_message(text=texts.ask_level(purpose, lang=_lang(tracker)), buttons=buttons)
        return []


class ActionAskConfirm(Action):
    def name(self) -> str:
        return "action_ask_confirm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        task = tracker.get_slot("pending_task")
        due = _due_if_sent_now()
        purpose = _purpose(tracker.get_slot("purpose"))
        if task == "objection" and purpose is not None:
            text = texts.confirm_objection(purpose, content(), due, lang=_lang(tracker))
        elif task == "consent" and purpose is not None:
            labels = {lv.id: lv.label for lv in purpose.levels}
            text = texts.confirm_level(purpose, labels.get(tracker.get_slot("level"), ""), content(),
                                       lang=_lang(tracker))
        elif task == "access":
            text = texts.confirm_access(due, lang=_lang(tracker))
        elif task == "reviews":
            number = unseal(tracker.get_slot("review_number")) or ""
            first = reviews.first_due(dt.datetime.now(dt.timezone.utc), content().council.consent_review_months)
            text = texts.confirm_reviews(content(), tracker.get_slot("review_channel") or "sms", number[-3:], first,
                                         lang=_lang(tracker))
        else:
            details = _error_details(tracker)
            text = texts.confirm_error(details["error_what"], details["error_where"], details["error_should"],
                                       lang=_lang(tracker))
        dispatcher.utter_message(text=text, buttons=messages.buttons(YES_NO, _lang(tracker)))
        return []


# --- the family's data map and consent reviews -----------------------------------------------------------------


def _current_choices(session: Any, family_id: str) -> dict[str, str]:
    """Each purpose with levels and the family's choice for it now (the council's default if none)."""
    chosen = reviews.current_choices(session, family_id=family_id)
    return {p.id: chosen.get(p.id, p.default) for p in _purposes("consent")}


def show_data_map(dispatcher: CollectingDispatcher, tracker: Tracker, next_steps: bool = True) -> None:
    """The family's data map: a short summary on SMS and WhatsApp, the parts and the picture on the web.
    Only after the identity check (the callers' rules), and marked so the conversation store keeps none of it."""
    family_id = tracker.get_slot("family_id")
    with session_scope() as session:
        held = holdings.family_holdings(session, family_id=family_id, conversation_id=tracker.sender_id,
                                        channel=_channel(tracker))
        chosen = {k: v.choice for k, v in service.get_choices(
            session, family_id=family_id, conversation_id=tracker.sender_id, channel=_channel(tracker)).items()}
    private = {NOT_KEPT: True}
    if _channel(tracker) in TEXT_CHANNELS:
        # in a review the choices come next, so only the summary (the details are a "what do you hold" away)
        dispatcher.utter_message(text=texts.data_map_summary(content(), held, chosen, detail=next_steps,
                                                             lang=_lang(tracker)), **private)
        return
    *chunks, last = texts.data_map(content(), held, chosen, lang=_lang(tracker))
    for chunk in chunks:
        dispatcher.utter_message(text=chunk, **private)
    if held:
        alt = texts.data_map_alt(content(), held, lang=_lang(tracker))
        svg = data_map_svg.render(content(), held, chosen, alt, lang=_lang(tracker))
        # {"data": ...}: Rasa's socketio channel emits the custom message's keys as emit() arguments
        dispatcher.utter_message(json_message={"data": {"data_map": {"svg": svg, "alt": alt}}}, **private)
    steps = messages.buttons(DATA_MAP_NEXT_STEPS, _lang(tracker)) if next_steps else None
    dispatcher.utter_message(text=last, buttons=steps, **private)


class ValidateReviewsForm(FormValidationAction):
    """Asking to be asked again: by text or WhatsApp, to which number (kept sealed, never readable here)."""

    def name(self) -> str:
        return "validate_reviews_form"

    def validate_review_channel(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {"review_channel": None}
        chosen = texts.match_option(str(value), {"sms": ["sms", "text", "texts", "message", "1"],
                                               "whatsapp": ["whatsapp", "whats", "app", "2"]})
        if chosen is None:
            dispatcher.utter_message(text=texts.review_channel_not_recognised(lang=_lang(tracker)))
        return {"review_channel": chosen}

    def validate_review_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {"review_number": None}
        if is_sealed(value):
            return {"review_number": value}
        channel = tracker.get_slot("review_channel") or "sms"
        if str(value).strip().lower() in THIS_NUMBER:  # the number they are texting from, sealed by the channel
            value = unseal((tracker.latest_message.get("metadata") or {}).get("reply_to")) or ""
        number = reviews.normalise_number(str(value), channel)
        if number is None:
            dispatcher.utter_message(text=texts.review_number_not_recognised(lang=_lang(tracker)))
            return {"review_number": None}
        return {"review_number": seal(number)}


class ValidateReviewForm(FormValidationAction):
    """The review: each choice in turn, kept or changed; the answers wait in a slot until the end."""

    def name(self) -> str:
        return "validate_review_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return domain_slots if _next_review_purpose(tracker) is not None else []

    def validate_review_answer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        purpose = _next_review_purpose(tracker)
        if value is None or purpose is None:
            return {"review_answer": None}
        options = {KEEP: ["keep", "same", "fine", "unchanged"]}
        options.update({lv.id: _option_words(lv.id, lv.label) for lv in purpose.levels})
        chosen = texts.match_option(str(value), options)
        if chosen is None:
            dispatcher.utter_message(text=texts.review_answer_not_recognised(lang=_lang(tracker)))
            return {"review_answer": None}
        answers = dict(tracker.get_slot("review_answers") or {})
        if chosen == KEEP:
            with session_scope() as session:
                chosen = _current_choices(session, tracker.get_slot("family_id")).get(purpose.id, purpose.default)
        answers[purpose.id] = chosen
        finished = len(answers) >= len(_purposes("consent"))
        # Empty again so the form asks about the next purpose; set once the last one is answered.
        return {"review_answers": answers, "review_answer": "done" if finished else None}


def _next_review_purpose(tracker: Tracker) -> Purpose | None:
    answered = tracker.get_slot("review_answers") or {}
    return next((p for p in _purposes("consent") if p.id not in answered), None)


class ActionAskReviewChannel(Action):
    def name(self) -> str:
        return "action_ask_review_channel"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=texts.ask_review_channel(content(),
                                                               lang=_lang(tracker)),
                                 buttons=messages.buttons(REVIEW_CHANNELS, _lang(tracker)))
        return []


class ActionAskReviewNumber(Action):
    def name(self) -> str:
        return "action_ask_review_number"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        buttons = (messages.buttons([("buttons.this_number", THIS_NUMBER[0])], _lang(tracker))
                   if _channel(tracker) in TEXT_CHANNELS else None)
        dispatcher.utter_message(
            text=texts.ask_review_number(tracker.get_slot("review_channel") or "sms", from_here=bool(buttons),
                                         lang=_lang(tracker)),
            buttons=buttons,
        )
        return []


class ActionAskReviewAnswer(Action):
    def name(self) -> str:
        return "action_ask_review_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        purpose = _next_review_purpose(tracker)
        if purpose is None:
            return []
        with session_scope() as session:
            current = _current_choices(session, tracker.get_slot("family_id")).get(purpose.id, purpose.default)
        steps = _purposes("consent")
        buttons = messages.buttons([("buttons.keep_it", KEEP)], _lang(tracker))
        buttons += [{"title": lv.label, "payload": lv.id} for lv in purpose.levels if lv.id != current]
        dispatcher.utter_message(
            text=texts.ask_review_answer(purpose, current, steps.index(purpose) + 1, len(steps),
                                         lang=_lang(tracker)), buttons=buttons
        )
        return []
