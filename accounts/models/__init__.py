"""Account models, one concept a module."""

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
    "StaffEnrolment",
    "StepUpCheck",
    "User",
    "VerificationLevel",
]
