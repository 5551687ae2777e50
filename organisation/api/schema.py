"""The OpenAPI schema class: drf-spectacular's, plus the error responses every operation can give, in the
one error format (`ErrorSerializer`, api.md "Conventions").

Which errors an operation documents follows from what the view does: 400 for a body or query parameters,
401 where a token or session is read, 403 where a permission is required (or a session's CSRF check on a
write), 404 for objects named in the path, 409 for writes (not allowed in the current status, a concurrent
change, already done), 413 for file uploads, 415 for any body, 429 where a throttle or lock-out
applies. A view adds codes of its own with `error_statuses` and drops one that cannot happen with
`omit_error_statuses`. Codes a view documents itself (`@extend_schema(responses=...)`) are kept as they are.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

DESCRIPTIONS = {
    400: "Invalid input: `code` is `invalid` (or a domain code) and `fields` names each field with its messages.",
    401: "Not authenticated: the bearer token is missing, wrong, revoked or expired.",
    403: "Not allowed for this user or role (or a failed CSRF check of a session).",
    404: "Not found, or outside the caller's agencies (the same answer either way).",
    409: "Not allowed in the object's current state, or changed by someone else first; nothing changed.",
    413: "Too large (a file, or the whole upload).",
    415: "Unsupported media type (of the body or of an uploaded file).",
    429: "Too many requests or attempts; see `Retry-After` where given.",
}


class ErrorSerializer(serializers.Serializer):
    """The API's one error format."""

    code = serializers.CharField(help_text="Stable snake_case code, e.g. `invalid`, `not_found`, `throttled`.")
    detail = serializers.CharField(help_text="Human text, in the language of Accept-Language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (`components[0].name` for nested ones); empty when not about fields.",
    )

    class Meta:
        ref_name = "Error"


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation.setdefault("responses", {})
        for status in sorted(self.error_statuses(operation)):
            responses.setdefault(str(status), {
                "description": DESCRIPTIONS[status],
                "content": {"application/json": {"schema": error}},
            })
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self, operation: dict) -> set[int]:
        view = self.view
        parameters = operation.get("parameters", [])
        body = operation.get("requestBody")
        statuses: set[int] = set()
        if body or any(p.get("in") == "query" for p in parameters):
            statuses.add(400)
        if any(p.get("in") == "path" for p in parameters):
            statuses.add(404)
        authenticators = view.get_authenticators()
        if authenticators:
            statuses.add(401)
        if any(not isinstance(p, AllowAny) for p in view.get_permissions()):
            statuses.add(403)
        elif self.method in WRITE_METHODS and any(isinstance(a, SessionAuthentication) for a in authenticators):
            statuses.add(403)
        if self.method in WRITE_METHODS:
            statuses.add(409)
        if body:
            statuses.add(415)
            if self._takes_files(body.get("content", {}).get("multipart/form-data", {}).get("schema")):
                statuses.add(413)
        try:
            throttled = bool(view.get_throttles())
        except Exception:  # a view deciding by its request, which the schema's mock may lack
            throttled = bool(getattr(view, "throttle_classes", ()))
        if throttled:
            statuses.add(429)
        statuses |= set(getattr(view, "error_statuses", ()))
        statuses -= set(getattr(view, "omit_error_statuses", ()))
        return statuses

    def _takes_files(self, schema, seen=None) -> bool:
        """Does this body schema (following its component references) have a file (`format: binary`)?"""
        seen = set() if seen is None else seen
        if isinstance(schema, dict):
            if schema.get("format") == "binary":
                return True
            ref = schema.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref not in seen:
                seen.add(ref)
                component = self.registry._components.get((ref.rsplit("/", 1)[1], "schemas"))
                if component is not None and self._takes_files(component.schema, seen):
                    return True
            return any(self._takes_files(value, seen) for value in schema.values())
        if isinstance(schema, list):
            return any(self._takes_files(value, seen) for value in schema)
        return False
