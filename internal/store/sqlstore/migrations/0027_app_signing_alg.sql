-- How an app's tokens are signed (internal/oidc, App.IDTokenSignedResponseAlg;
-- OpenID Connect Dynamic Client Registration's id_token_signed_response_alg):
-- RS256, the default as in Entra ID, or ES256 for apps that opt in. Every
-- existing app keeps RS256.
ALTER TABLE apps ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT 'RS256'
    CHECK (id_token_signed_response_alg IN ('RS256', 'ES256'));
