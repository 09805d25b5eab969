//! The SNAP code tables (`common/codes.yaml`, plus the service codes a provider file adds): what the two
//! middle digits of a response code name, and what each generic case means for the caller.

use snapbi_rules::Outcome;

use crate::{List, Text};

/// The service-code and generic case-code tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeTables {
    /// Service codes of the SNAP table, sorted.
    pub services: List<ServiceCode>,
    /// Generic case codes, sorted by (http, case).
    pub cases: List<CaseCode>,
    /// Service codes a provider uses that the SNAP table lacks (`service_codes` of a provider file), sorted
    /// by (code, provider). Never one of `services`.
    pub provider_services: List<ProviderServiceCode>,
}

impl CodeTables {
    /// The SNAP service with this two-digit code.
    pub fn service(&self, code: &str) -> Option<&ServiceCode> {
        self.services.iter().find(|s| s.code == code)
    }

    /// `provider`'s own service with this code (one the SNAP table lacks).
    pub fn provider_service(&self, provider: &str, code: &str) -> Option<&ProviderServiceCode> {
        self.provider_services
            .iter()
            .find(|s| s.provider == provider && s.code == code)
    }

    /// The name of service `code` as `provider` uses it: the SNAP table's, else the provider's own.
    pub fn service_name_for(&self, provider: &str, code: &str) -> Option<&str> {
        self.service(code)
            .map(|s| &*s.name)
            .or_else(|| self.provider_service(provider, code).map(|s| &*s.name))
    }

    /// The generic case for this HTTP status and two-digit case code.
    pub fn case(&self, http: u16, case: &str) -> Option<&CaseCode> {
        self.cases.iter().find(|c| c.http == http && c.case == case)
    }
}

/// A two-digit SNAP service code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCode {
    /// Two digits.
    pub code: Text,
    /// Name.
    pub name: Text,
    /// Path after `/{version}`.
    pub path: Option<Text>,
}

/// A service code one provider uses that the SNAP table lacks (DANA's `00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderServiceCode {
    /// The provider that uses it.
    pub provider: Text,
    /// Two digits.
    pub code: Text,
    /// Name.
    pub name: Text,
    /// Path after `/{version}`.
    pub path: Option<Text>,
    /// Why the provider uses a code outside the SNAP table, with sources.
    pub note: Text,
}

/// A generic case code: the last two digits of a response code under one HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCode {
    /// HTTP status.
    pub http: u16,
    /// Two digits.
    pub case: Text,
    /// UpperCamelCase name.
    pub name: Text,
    /// Published message.
    pub message: Text,
    /// Default outcome.
    pub outcome: Outcome,
    /// Per-service overrides: (service code, outcome).
    pub outcome_by_service: List<(Text, Outcome)>,
}

impl CaseCode {
    /// The outcome of this case for `service`.
    pub fn outcome_for(&self, service: &str) -> Outcome {
        self.outcome_by_service
            .iter()
            .find(|(s, _)| s == service)
            .map(|(_, o)| *o)
            .unwrap_or(self.outcome)
    }
}
