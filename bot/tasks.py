"""The tasks the assistant does, by the intent that asks for each, and the topic page that explains each.

One place for both maps: the actions start a task from its intent (INTENT_TASKS), a topic page names the task it
explains in its front matter (`task:`, checked against INTENT_TASKS; its web answer then has a "Do it now" button),
and the conversation context (bot/nlp/context.py) takes a task's topic as the subject of a follow-up question
("how long will that take?" after an opt-out is about objecting).
"""

from __future__ import annotations

INTENT_TASKS = {
    "check_status": "status",
    "change_consent": "consent",
    "opt_out": "objection",
    "request_data": "access",
    "report_error": "rectification",
    "request_status": "request_status",
    "see_data_map": "data_map",
    "review_reminders": "reviews",
    "review_choices": "review",
    "stop_reviews": "stop_reviews",
}

# The page that answers questions about each task, for a follow-up asked during or after it.
TASK_TOPICS = {
    "status": "consent_levels",
    "consent": "consent_levels",
    "objection": "object_to_use",
    "access": "see_my_data",
    "rectification": "correct_my_data",
    "request_status": "after_error_report",
    "data_map": "who_can_see",
    "reviews": "consent_levels",
    "review": "consent_levels",
}
