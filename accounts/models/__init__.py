"""Account models, one concept a module."""

# Service clients live in their own subpackage; imported here so Django registers the model.
from accounts.service_clients.models import ServiceClient

from .activity import LoginActivity
from .delivery import Delivery, DeliveryStatus
from .guardians import GuardianLink
from .identity import IdentityProfile, IdentityVerificationAttempt, SandboxIdentity, VerificationLevel
from .staff_enrolment import StaffEnrolment
from .step_up import StepUpCheck
from .user import AccountKind, User

__all__ = [
    "AccountKind",
    "Delivery",
    "DeliveryStatus",
    "GuardianLink",
    "IdentityProfile",
    "IdentityVerificationAttempt",
    "LoginActivity",
    "SandboxIdentity",
    "ServiceClient",
    "StaffEnrolment",
    "StepUpCheck",
    "User",
    "VerificationLevel",
]
