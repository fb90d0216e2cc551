"""OpenAPI generation: every operation documents the error answers it can give."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from common.api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Bad input: each field with its messages.",
    "401": "Not authenticated.",
    "403": "Authenticated, but the role does not allow this.",
    "404": "Not found, or it belongs to another account.",
    "409": "Business conflict with the current state.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds 400/401/403/404 (and 409 where a view declares conflicts) to every operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403"]
        if "{" in self.path or getattr(self.view, "documents_not_found", False):
            codes.append("404")
        if getattr(self.view, "documents_conflict", False):
            codes.append("409")
        if getattr(self.view, "authentication_classes", None) == [] and self.method == "POST":
            codes = ["400"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses
