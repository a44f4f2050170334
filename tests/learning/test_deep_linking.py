"""Deep linking: the trainer picks content; the LMS gets signed LtiResourceLink items."""

from __future__ import annotations

import re
import time

import jwt

from tests.fake_lms import INSTRUCTOR
from tests.learning.helpers import first_module, form_tokens

RETURN_URL = "https://moodle.example.edu/mod/lti/contentitem_return.php?course=2"


def _deep_link_launch(client, lms, **kwargs):
    response = lms.launch(client, message_type="LtiDeepLinkingRequest", roles=INSTRUCTOR,
                          resource_link_id=None, deep_link_return_url=RETURN_URL,
                          deep_link_data="opaque-123", custom={}, **kwargs)
    assert response.status_code == 303
    assert "/content/choose" in response.headers["Location"]
    return response.headers["Location"]


def _verify_as_platform(client, lms, token):
    """What the LMS does: check the signature with the tool's published keys."""
    jwks = client.get("/lti/jwks").get_json()
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in jwks["keys"] if k["kid"] == kid]
    return jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"],
                      audience=lms.platform.issuer)


def test_trainer_picks_a_module_and_the_lms_gets_a_signed_item(client, lms):
    location = _deep_link_launch(client, lms)
    html = client.get(location).get_data(as_text=True)
    module = first_module()
    assert module.title.nl in html
    response = client.post(location, data={"csrf_token": form_tokens(html)["csrf_token"],
                                           "target": ["library-basics", f"library-basics/{module.slug}"]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'action="{RETURN_URL.replace("&", "&amp;")}"' in page
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)

    claims = _verify_as_platform(client, lms, token)
    dl = "https://purl.imsglobal.org/spec/lti-dl/claim/"
    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    assert claims["iss"] == lms.platform.client_id
    assert claims[lti + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[lti + "version"] == "1.3.0"
    assert claims[lti + "deployment_id"] == lms.platform.deployment_id
    assert claims[dl + "data"] == "opaque-123"
    assert claims["nonce"] and claims["exp"] - time.time() <= 300
    course_item, module_item = claims[dl + "content_items"]
    assert course_item["type"] == "ltiResourceLink"
    assert course_item["url"] == "http://localhost/lti/launch"
    assert course_item["custom"] == {"course": "library-basics"}
    assert module_item["custom"] == {"course": "library-basics", "module": module.slug}
    assert module_item["lineItem"]["scoreMaximum"] == 100.0


def test_the_created_link_opens_what_was_chosen(client, lms):
    # The LMS launches the new link with the custom parameters of the item.
    module = first_module()
    response = lms.launch(client, resource_link_id="new-link",
                          custom={"course": "library-basics", "module": module.slug})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/modules/{module.slug}?ltik=")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and module.title.get("nl") in page.get_data(as_text=True)


def test_nothing_chosen_shows_an_error_and_keeps_the_page(client, lms):
    location = _deep_link_launch(client, lms, locale="en")
    html = client.get(location).get_data(as_text=True)
    response = client.post(location, data={"csrf_token": form_tokens(html)["csrf_token"]})
    assert response.status_code == 422
    assert "Choose at least one" in response.get_data(as_text=True)


def test_learner_cannot_answer_a_deep_linking_request(client, lms):
    response = lms.launch(client, message_type="LtiDeepLinkingRequest",
                          resource_link_id=None, deep_link_return_url=RETURN_URL)
    page = client.get(response.headers["Location"])
    assert page.status_code == 403
