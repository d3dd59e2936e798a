"""The fields an admin change form would submit as rendered, inlines included."""

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, form_id_ending: str):
        super().__init__()
        self._form_id_ending = form_id_ending
        self.fields: dict[str, str] = {}
        self._select = self._textarea = None
        self._first_option = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            # The admin's change form (e.g. planet_form), not the header's language switch.
            self._inside = (attrs.get("id") or "").endswith(self._form_id_ending)
        if not self._inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            else:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self.fields.setdefault(self._select, value)
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data.removeprefix("\n")


def form_fields(html: str, form_id_ending: str = "_form") -> dict[str, str]:
    """Every field of the page's change form (or another form, by how its id ends) with its
    rendered value; the empty inline template's fields (__prefix__) left out."""
    form = _Form(form_id_ending)
    form.feed(html)
    return {name: value for name, value in form.fields.items() if "__prefix__" not in name}
