/// The version `reprise --version` prints and `/healthz` could report. Bumped by hand on release.
public enum RepriseVersion {
    public static let current = "0.1.0"
}
