"""Pages: my tasks (list, create, complete)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rallypoynt.contacts.forms import (
    TaskDoneForm,
    TaskForm,
)
from rallypoynt.contacts.selectors import task_list
from rallypoynt.contacts.services.activity import (
    task_complete,
    task_create,
)
from rallypoynt.contacts.views.people import PAGE_SIZE
from rallypoynt.core.errors import ServiceError, ValidationFailed
from rallypoynt.core.pagination import paginate
from rallypoynt.core.web import next_or, run_service
from rallypoynt.orgs.decorators import member_page

# Tasks -------------------------------------------------------------------------------------


@member_page
def tasks_view(request: HttpRequest) -> HttpResponse:
    """My open tasks, soonest due first (undated last), with a form to add one."""
    return _tasks_page(request)


def _tasks_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    actor = request.membership
    try:
        page = paginate(
            task_list(actor=actor, status="open"),
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
            ordering=("due_sort", "id"),
        )
    except ValidationFailed:
        return redirect("contacts:tasks")
    context = {"page": page, "form": TaskForm(), "now": timezone.now()}
    return render(request, "contacts/people_tasks.html", context, status=status)


@member_page
@require_POST
def task_create_view(request: HttpRequest) -> HttpResponse:
    form = TaskForm(request.POST)
    fallback = reverse("contacts:tasks")
    if form.is_valid():
        run_service(
            request,
            lambda: task_create(actor=request.membership, **form.cleaned_data),
            "Task added.",
        )
    else:
        errors = "; ".join(f"{k}: {e}" for k, errs in form.errors.items() for e in errs)
        messages.error(request, f"The task was not added: {errors}")
    return redirect(next_or(request, fallback))


@member_page
@require_POST
def task_complete_view(request: HttpRequest, task_id: int) -> HttpResponse:
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        text = "Not changed: " + " ".join(e for errs in form.errors.values() for e in errs)
        if request.htmx:
            return HttpResponse(text, status=422)
        messages.error(request, text)
        return _tasks_page(request, status=422)
    is_done = form.cleaned_data["is_done"]
    try:
        task = task_complete(actor=request.membership, task_id=task_id, is_done=is_done)
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    if request.htmx:
        return render(request, "contacts/_task_row.html", {"task": task, "now": timezone.now()})
    messages.success(request, f"“{task.title}” {'done' if is_done else 'reopened'}.")
    return redirect(next_or(request, reverse("contacts:tasks")))
