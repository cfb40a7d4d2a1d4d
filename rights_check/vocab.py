"""The manifest vocabularies of contract §2 and the classes the verdict rules use."""

from __future__ import annotations

PUBLISHER_TYPES = (
    "news_agency", "news_publisher", "broadcaster", "magazine", "newsmagazine",
    "book_publisher", "blog", "online_platform", "corporate", "government", "political_party",
    "ngo", "education", "individual",
)
NEWS_PUBLISHER_TYPES = frozenset(PUBLISHER_TYPES[:5])

PURPOSES = (
    "news_reporting", "news_commentary", "editorial_feature", "documentary", "education",
    "personal", "internal", "self_promotion", "advertising", "marketing", "merchandise",
    "corporate_communication", "political_campaign", "stock_resale", "ai_training", "other",
)
EDITORIAL_PURPOSES = frozenset(PURPOSES[:4])
COMMERCIAL_PURPOSES = frozenset(
    {"advertising", "marketing", "merchandise", "corporate_communication", "stock_resale"})
ADVERTISING_PURPOSES = frozenset({"advertising", "marketing"})
POLITICAL_PURPOSES = frozenset({"political_campaign"})

MEDIA = (
    "newspaper_print", "magazine_print", "book", "book_cover", "website", "mobile_app",
    "social_media", "email_newsletter", "tv_broadcast", "streaming_video", "outdoor_display",
    "merchandise", "product_packaging", "intranet", "presentation",
)
ONLINE_MEDIA = frozenset(
    {"website", "mobile_app", "social_media", "email_newsletter", "streaming_video"})

EDITS = (
    "resize", "format_convert", "compress", "crop", "tone_adjust_minor", "color_correct_minor",
    "tone_color_heavy", "grayscale", "colorize", "sharpen", "dust_spot_removal",
    "red_eye_removal", "retouch", "remove_element", "add_element", "composite",
    "background_blur", "obscure_face", "flip", "ai_generative_fill", "ai_expand", "ai_upscale",
    "text_overlay", "watermark",
)
TECHNICAL_EDITS = frozenset({"resize", "format_convert", "compress"})

AI_TRAINING = ("none", "non_generative", "generative")

# no_manipulation under each policy profile (contract §3): edits not listed need review.
EDITORIAL_OK_EDITS = TECHNICAL_EDITS | {
    "crop", "tone_adjust_minor", "color_correct_minor", "grayscale", "sharpen",
    "dust_spot_removal"}
EDITORIAL_VIOLATION_EDITS = frozenset({
    "retouch", "remove_element", "add_element", "composite", "background_blur", "flip",
    "colorize", "tone_color_heavy", "red_eye_removal", "ai_generative_fill", "ai_expand",
    "ai_upscale"})
STRICT_OK_EDITS = TECHNICAL_EDITS
STRICT_VIOLATION_EDITS = EDITORIAL_VIOLATION_EDITS | {"text_overlay", "watermark", "obscure_face"}

POLICIES = ("editorial", "strict")
