"""All models, one module per aggregate. Importing this package registers them on FAB's metadata."""

from flask_appbuilder.security.sqla.models import User  # noqa: F401  (relationship target)

from .account import AccountToken, TokenPurpose
from .audit import AuditLog
from .base import Model, Money
from .billing import BillingRun, BillingRunState
from .booking import (
    SEAT_HOLDING_STATES,
    Attendance,
    Booking,
    BookingState,
    Enrolment,
    EnrolmentState,
)
from .calendar import Closure, SchoolYear
from .consent import ConsentAnswer, ConsentDocument, ConsentVersion
from .document import DocumentState, DocumentType, FamilyDocument, PublishedDocument
from .dossier import DossierCampaign, DossierCertification, DossierSection, campaign_document_type
from .family import AuthorizedPerson, Child, Diet, Family, Guardian, QuotientFamilial, family_child
from .family_import import FamilyImport, ImportMapping, ImportState
from .invoice import (
    CreditKind,
    CreditNote,
    DocumentSequence,
    FamilyCredit,
    Invoice,
    InvoiceLine,
    InvoiceState,
    Payment,
    PaymentMethod,
    SepaMandate,
)
from .issued_pdf import IssuedPdf
from .job import Job, JobState
from .login import LoginAddressFailure, LoginState, attach_to_user
from .mail import MailAttachment, MailState, OutgoingMail
from .mailing import Mailing, MailingRecipient
from .menu import (
    Allergen,
    ChildAllergen,
    Course,
    Dish,
    DishLabel,
    DishVariant,
    Kitchen,
    MealOrder,
    Menu,
    MenuAlert,
    kitchen_school,
)
from .message import Conversation, ConversationState, Message, MessageAttachment, Side, Topic
from .news import News, StructureInfo
from .payment import (
    PaymentReminder,
    PaymentTransaction,
    SepaBatch,
    SepaBatchLine,
    TaxCertificate,
    TransactionState,
)
from .request import Alert, Request, RequestKind, RequestState
from .school import DeadlineKind, School, SchoolSector, Service, ServiceCapacity, ServiceKind
from .state_services import (
    FranceConnectLink,
    QfBatch,
    QfBatchState,
    QfConsent,
    QfFetch,
    QfFetchOutcome,
)
from .tariff import Tariff, TariffBracket

attach_to_user()  # user.login_state, once every model is defined

__all__ = [
    "AccountToken",
    "IssuedPdf",
    "LoginAddressFailure",
    "LoginState",
    "TokenPurpose",
    "Alert",
    "Attendance",
    "AuditLog",
    "AuthorizedPerson",
    "BillingRun",
    "BillingRunState",
    "SEAT_HOLDING_STATES",
    "Booking",
    "BookingState",
    "Child",
    "Closure",
    "ConsentAnswer",
    "ConsentDocument",
    "ConsentVersion",
    "Conversation",
    "ConversationState",
    "CreditKind",
    "CreditNote",
    "FamilyCredit",
    "DeadlineKind",
    "Diet",
    "DocumentSequence",
    "DocumentState",
    "DocumentType",
    "DossierCampaign",
    "DossierCertification",
    "DossierSection",
    "Enrolment",
    "EnrolmentState",
    "Family",
    "FamilyImport",
    "ImportMapping",
    "ImportState",
    "Mailing",
    "MailingRecipient",
    "FamilyDocument",
    "FranceConnectLink",
    "Guardian",
    "Invoice",
    "Job",
    "JobState",
    "InvoiceLine",
    "InvoiceState",
    "MailAttachment",
    "MailState",
    "Allergen",
    "ChildAllergen",
    "Course",
    "Dish",
    "DishLabel",
    "DishVariant",
    "Kitchen",
    "MealOrder",
    "Menu",
    "MenuAlert",
    "kitchen_school",
    "Message",
    "MessageAttachment",
    "Model",
    "Money",
    "News",
    "StructureInfo",
    "OutgoingMail",
    "Payment",
    "PaymentReminder",
    "PaymentTransaction",
    "PaymentMethod",
    "PublishedDocument",
    "QfBatch",
    "QfBatchState",
    "QfConsent",
    "QfFetch",
    "QfFetchOutcome",
    "QuotientFamilial",
    "Request",
    "RequestKind",
    "RequestState",
    "School",
    "SchoolSector",
    "SchoolYear",
    "Service",
    "ServiceCapacity",
    "ServiceKind",
    "Side",
    "SepaBatch",
    "SepaBatchLine",
    "SepaMandate",
    "Tariff",
    "TariffBracket",
    "TaxCertificate",
    "Topic",
    "TransactionState",
    "User",
    "campaign_document_type",
    "family_child",
]
