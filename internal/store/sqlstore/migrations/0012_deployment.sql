-- Deployment-wide settings that every process and the admin CLI share,
-- written by serve (e.g. the public URL the CLI uses to build links).
CREATE TABLE deployment_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
