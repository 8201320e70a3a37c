"""A page's buttons as data (core.web): each built view reads like a `def` of its page module,
wears the page's guards outermost first, and calls one service with the page's ids."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from rallypoynt.core.forms import ServiceForm
from rallypoynt.core.web import ActionPage, PageAction


class _CountForm(ServiceForm):
    count = forms.IntegerField()


def _tagging(tag: str, seen: list):
    def guard(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            seen.append(tag)
            return view(request, *args, **kwargs)

        return wrapper

    return guard


def test_a_button_is_named_documented_and_guarded_like_a_def_of_its_page():
    seen: list = []

    def post(request, action, pk):
        seen.append((action, pk))
        return HttpResponse("done")

    action = PageAction(_CountForm, dict, "Counted.")
    page = ActionPage(post, (_tagging("outer", seen), _tagging("inner", seen)))
    view = page.button("count_view", "Count something.", action)

    response = view(RequestFactory().post("/"), pk=7)

    assert response.content == b"done"
    assert seen == ["outer", "inner", (action, 7)]
    assert (view.__name__, view.__qualname__, view.__doc__) == (
        "count_view",
        "count_view",
        "Count something.",
    )
    assert view.__module__ == __name__
    assert ActionPage(post, (), module="elsewhere").button("x_view", "", action).__module__ == (
        "elsewhere"
    )


def test_an_action_calls_its_service_with_the_page_ids_and_says_what_it_did():
    calls: list = []
    request = RequestFactory().post("/", {"count": "2"})
    request.membership = "member"
    request._messages = CookieStorage(request)
    action = PageAction(
        _CountForm,
        lambda **kwargs: calls.append(kwargs) or len(calls),
        lambda result: f"Counted, call {result}.",
    )

    form = action.bind(request, scope="the deal")
    assert form.is_valid() and (form.actor, form.scope) == ("member", "the deal")
    outcome = action.run(request, form, deal_id=3)

    assert outcome.ok
    assert calls == [{"actor": "member", "deal_id": 3, "count": 2}]
    assert [str(m) for m in get_messages(request)] == ["Counted, call 1."]
