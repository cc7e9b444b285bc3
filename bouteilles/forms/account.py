"""Logging in, one's password, one's API tokens."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import EqualTo, Length

from ..models import ApiToken, User
from ..services.members.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from .base import Form, _l, column_length
from .checks import MaxLength, Required
from .fields import TextField, TickField

EMAIL_LENGTH = column_length(User.email)


class LoginForm(Form):
    email = TextField(_l("E-mail"), [Required(_l("Indiquez votre e-mail.")),
                                     MaxLength(EMAIL_LENGTH)])
    password = PasswordField(_l("Mot de passe"), [Required(_l("Indiquez votre mot de passe.")),
                                                  MaxLength(1_000)])
    remember = TickField()


class PasswordForm(Form):
    current = PasswordField(_l("Mot de passe actuel"), [Required(), MaxLength(1_000)])
    new = PasswordField(
        _l("Nouveau mot de passe"),
        [Required(), Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH,
                            _l("De %(min)s à %(max)s caractères (vous en avez tapé %(length)s)."))],
        description=_l("%(n)s caractères au moins : par exemple trois ou quatre mots sans "
                       "rapport entre eux. Les mots de passe courants sont refusés. "
                       "Enregistrer ferme vos connexions sur les autres appareils.",
                       n=MIN_PASSWORD_LENGTH))
    confirm = PasswordField(_l("Confirmez"), [
        Required(), EqualTo("new", _l("Les deux mots de passe ne sont pas identiques."))])


class TokenForm(Form):
    label = TextField(_l("Libellé"), [MaxLength(column_length(ApiToken.label))])


class UserTokenForm(TokenForm):
    """The coordination's: a token for someone, by e-mail."""

    email = TextField(_l("E-mail de l'utilisateur"), [Required(), MaxLength(EMAIL_LENGTH)])
