"""Keep the API's error shape for answers ninja does not produce (unknown route, 405)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from rallypoynt.api.errors import STATUS_CODES

API_PREFIX = "/api/"
MESSAGES = {404: "No such API route.", 405: "This route does not accept that method."}


class ApiErrorShapeMiddleware:
    """Rewrite non-JSON 4xx answers under /api/ into {"error": {"code", "message", "fields"}}."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or not 400 <= response.status_code < 500:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        body = {
            "error": {
                "code": STATUS_CODES.get(status, "error"),
                "message": MESSAGES.get(status, response.reason_phrase),
                "fields": {},
            }
        }
        shaped = JsonResponse(body, status=status, json_dumps_params={"separators": (",", ":")})
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
