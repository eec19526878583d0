from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from daptar.accounts import actions
from daptar.accounts.forms import LoginForm
from daptar.accounts.models import ApiToken
from daptar.accounts.queries import client_ip
from daptar.accounts.signin_views import after_sign_in
from daptar.lib.requests import AuthedRequest


class Login(LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        auth_login(self.request, form.get_user())
        actions.note_login_success(form.get_user(), client_ip(self.request))
        return after_sign_in(self.request, self.get_success_url())


@login_required
def password(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_password(request.user, form.cleaned_data["new_password1"], by=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:password")
    return render(request, "accounts/password.html", {"form": form})


@login_required
@require_POST
def switch_unit(request: AuthedRequest) -> HttpResponse:
    desk = actions.switch_unit(request, request.POST.get("unit", ""), by=request.user)
    messages.success(request, _("You are now acting for %(unit)s.") % {"unit": desk.unit.name})
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "units:home"
    return redirect(target)


@login_required
def token(request: AuthedRequest) -> HttpResponse:
    """The user's API tokens: the live one's key, when each was made and last used."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            chosen = request.POST.get("token", "")
            token_id = int(chosen) if chosen.isdigit() else None
            if actions.revoke_token(request.user, by=request.user, token_id=token_id):
                messages.success(request, _("Your API token has been revoked."))
        else:
            actions.issue_token(request.user, by=request.user)
        return redirect("accounts:token")
    tokens = list(ApiToken.objects.filter(user=request.user))
    live = next((t for t in tokens if not t.expired), None)
    return render(request, "accounts/token.html", {"token": live, "tokens": tokens})


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login form knows no second factor: send it to the office login."""
    target = request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
