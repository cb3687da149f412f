-- Branding localizations as Graph keeps them (internal/branding): the id is
-- kept as the admin sent it ("ja-JP", not "ja"); rows written before keep
-- theirs ("ja" stays "ja" and still serves Japanese pages). One id per
-- tenant in any case, so lookups ignoring case find one row. The hint in the
-- sign-in page's address field is Graph's usernameHintText.
ALTER TABLE branding ADD COLUMN username_hint_text TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX branding_tenant_lang_nocase ON branding (tenant_id, lower(lang));
