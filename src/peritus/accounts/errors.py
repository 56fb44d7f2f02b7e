from peritus.core.errors import DomainError, InvalidInputError, NotPermittedError


class AccountsError(DomainError):
    """A rule about accounts, roles or agreements refused the action."""


class RoleNotHeldError(NotPermittedError):
    """The actor does not hold the role the action needs (code `role_not_held` or `agreement_not_accepted`)."""


class AccountsInputError(InvalidInputError):
    pass
