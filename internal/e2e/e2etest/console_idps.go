package e2etest

// SAMLFedsPath is the admin API's collection of SAML/WS-Fed federations.
const SAMLFedsPath = "/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation"
