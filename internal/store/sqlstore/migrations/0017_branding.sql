-- Company branding (internal/branding): per tenant and language ('' is the
-- default) a background colour, sign-in page text, a privacy statement link
-- and a banner logo. The logo is stored base64 in TEXT, the same in both
-- engines; it is small (internal/branding limits it). Times are unix
-- microseconds, as in 0001.
CREATE TABLE branding (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    lang              TEXT NOT NULL,
    background_color  TEXT NOT NULL,
    sign_in_page_text TEXT NOT NULL,
    privacy_url       TEXT NOT NULL,
    logo_type         TEXT NOT NULL,
    logo              TEXT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, lang)
);
