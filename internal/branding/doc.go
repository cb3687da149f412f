// Package branding owns a tenant's company branding, Graph's
// organizationalBranding: per tenant and per language a banner logo, a
// background colour, sign-in page text and a privacy statement link. The
// default branding (language "") applies where a language has none of its
// own. It holds the rules (Validate, CheckLogo, Effective) and a Service over
// a narrow Store; pages, mail and the admin API render what it returns.
//
// Logos are PNG or JPEG only, checked by their bytes (not the declared
// type) for size and dimensions. SVG is refused: it is a document that can
// carry script and external references, and guestgate has no sanitizer it
// would trust with the sign-in page's origin; Graph itself accepts only PNG
// and JPEG for bannerLogo.
//
// It imports only clock, i18n and store from guestgate.
package branding
