"""The purposes, data categories and partners the policy names, as plain data.

Migrations load it (``0003_seed_catalogue``); privacy officers maintain it in
admin afterwards. Texts are our own wording of the policy's sections 2-5.
"""

DATA_CATEGORIES = [
    # code, Chinese, English, sensitive
    ("contact", "联系方式", "Contact details (email, mobile number)", False),
    ("identity", "身份信息", "Identity (legal name, ID number)", True),
    ("biometric", "人脸识别信息", "Facial biometric data", True),
    ("financial", "银行账户信息", "Bank account details", True),
    ("business", "企业登记信息", "Business registration data", False),
    ("location", "位置信息", "Location", True),
    ("usage", "使用记录", "Usage and log records", False),
    ("device", "设备信息", "Device information", False),
    ("preferences", "偏好设置", "Settings and preferences", False),
    ("interests", "兴趣标签", "Interest tags", False),
    ("address", "收货地址", "Delivery address", False),
    ("service_records", "办事记录", "Records of optional services", False),
]

# code, kind, sensitive, legal basis, Chinese name, English name, Chinese description, English description,
# data categories, display order
PURPOSES = [
    (
        "service_provision", "basic", False, "contract",
        "提供基本服务", "Providing the service",
        "为您开通和维护账户、登录和办理业务所必需。",
        "Needed to open and keep your account, sign you in and handle your business.",
        ["contact", "usage"], 10,
    ),
    (
        "identity_verification", "basic", True, "statutory_duty",
        "实名认证", "Real-name verification",
        "法律法规要求政务服务进行实名认证，我们据此核验您的姓名和身份证号码。",
        "Government services must verify real names by law; we check your name and ID number for it.",
        ["identity", "contact"], 20,
    ),
    (
        "security", "basic", False, "statutory_duty",
        "安全保障与防范欺诈", "Security and fraud prevention",
        "为保护您和他人的账户与财产安全，识别和处置欺诈、攻击等风险。",
        "To protect your account and others' from fraud, attacks and similar risks.",
        ["usage", "device"], 30,
    ),
    (
        "personal_settings", "optional", False, "consent",
        "个性化设置", "Personal settings",
        "记住您的语言、位置等设置，让服务更符合您的需要。",
        "Remembering your language, location and similar settings to suit the service to you.",
        ["preferences"], 40,
    ),
    (
        "service_optimisation", "optional", False, "consent",
        "服务优化", "Improving the service",
        "分析服务的使用情况，以改进和开发服务。",
        "Analysing how the service is used to improve and develop it.",
        ["usage", "device"], 50,
    ),
    (
        "recommendations", "optional", False, "consent",
        "个性化推荐", "Personalised recommendations",
        "根据您的兴趣标签推荐您可能需要的服务；推荐内容会标明“个性化”。",
        "Suggesting services you may need from your interest tags; such content is labelled as personalised.",
        ["interests", "usage"], 60,
    ),
    (
        "surveys", "optional", False, "consent",
        "调查邀请", "Survey invitations",
        "邀请您参与关于服务的调查。",
        "Inviting you to surveys about our services.",
        ["contact"], 70,
    ),
    (
        "location_services", "optional", True, "consent",
        "基于位置的服务", "Location-based services",
        "在您开启位置共享时，使用您的位置提供附近的服务。",
        "Using your location, while location sharing is on, to offer services near you.",
        ["location"], 80,
    ),
    (
        "face_verification", "optional", True, "consent",
        "人脸识别认证", "Face verification",
        "由人脸识别合作方核验您是本人；我们只保存结果，不保存人脸图像。您也可以选择其他认证方式。",
        "A face-recognition partner checks that you are you; we keep only the result, never an image. "
        "Other ways to verify are always available.",
        ["biometric", "identity"], 90,
    ),
    (
        "cookies_analytics", "optional", False, "consent",
        "分析与个性化 Cookie", "Analytics and personalisation cookies",
        "使用 Cookie 分析您如何使用门户并为您定制页面。",
        "Cookies that analyse how you use the portal and tailor pages to you.",
        ["usage", "device"], 100,
    ),
    (
        "service_provident_fund", "optional", True, "consent",
        "住房公积金服务", "Housing provident fund service",
        "办理住房公积金业务所需的信息。",
        "The information the housing provident fund service needs.",
        ["identity", "contact", "financial", "service_records"], 200,
    ),
    (
        "service_social_security", "optional", True, "consent",
        "社会保障服务", "Social security service",
        "办理社会保障业务所需的信息。",
        "The information the social security service needs.",
        ["identity", "contact", "service_records"], 210,
    ),
    (
        "service_public_transport", "optional", False, "consent",
        "公共交通服务", "Public transport service",
        "办理公共交通卡等业务所需的信息。",
        "The information public transport services (such as travel cards) need.",
        ["contact", "service_records"], 220,
    ),
    (
        "service_taxation", "optional", True, "consent",
        "税务服务", "Taxation service",
        "办理税务业务所需的信息。",
        "The information the taxation service needs.",
        ["identity", "contact", "financial", "service_records"], 230,
    ),
    (
        "service_household_registration", "optional", True, "consent",
        "户籍服务", "Household registration service",
        "办理户籍业务所需的信息。",
        "The information the household registration service needs.",
        ["identity", "contact", "address", "service_records"], 240,
    ),
]  # fmt: skip

# code, kind, Chinese name, English name, agreement reference, expires, purposes, data categories
PARTNERS = [
    (
        "face_provider", "face_recognition", "人脸识别服务商（示例）", "Face-recognition provider (sandbox)",
        "GD-FR-2026-001", "2028-12-31", ["face_verification"], ["biometric", "identity"],
    ),
    (
        "sms_gateway", "service_provider", "短信服务商（示例）", "SMS gateway (sandbox)",
        "GD-SMS-2026-004", "2028-06-30", ["service_provision", "security"], ["contact"],
    ),
    (
        "survey_partner", "supplier", "调查服务商（示例）", "Survey supplier (sandbox)",
        "GD-SV-2026-011", "2027-12-31", ["surveys"], ["contact"],
    ),
]  # fmt: skip

# code, purpose code, Chinese name, English name, fields asked for at enrolment (name, Chinese, English)
OPTIONAL_SERVICES = [
    (
        "provident_fund", "service_provident_fund", "住房公积金", "Housing provident fund",
        [("account_number", "公积金账号", "Provident fund account number"), ("employer", "工作单位", "Employer")],
    ),
    (
        "social_security", "service_social_security", "社会保障", "Social security",
        [("insurance_number", "社会保障号码", "Social insurance number"), ("city", "参保城市", "City of insurance")],
    ),
    (
        "public_transport", "service_public_transport", "公共交通", "Public transport",
        [("card_number", "交通卡号", "Travel card number")],
    ),
    (
        "taxation", "service_taxation", "税务", "Taxation",
        [("taxpayer_number", "纳税人识别号", "Taxpayer number")],
    ),
    (
        "household_registration", "service_household_registration", "户籍", "Household registration",
        [("registered_address", "户籍地址", "Registered address")],
    ),
]  # fmt: skip
