import JetStream

/// The `nats_*` keys as the JetStream module wants them. They take effect on restart only: a reload
/// keeps the running ones (connections and the consumer are set up once).
extension DaemonConfig {
    var natsEnabled: Bool { !natsURL.isEmpty }

    var natsConnectOptions: ConnectOptions {
        var options = ConnectOptions(url: natsURL)
        options.credentialsFile = natsCredentials
        options.tlsCA = natsTLSCA
        options.tlsCertificate = natsTLSCertificate
        options.tlsKey = natsTLSKey
        return options
    }

    /// One string of every nats_* value, to tell a reload that they changed.
    var natsSettings: String {
        [natsURL, natsResultsSubject, natsResultsStream, natsInputStream, natsInputConsumer,
         natsCredentials ?? "", natsTLSCA ?? "", natsTLSCertificate ?? "", natsTLSKey ?? ""].joined(separator: "\u{1}")
    }

    mutating func keepNatsSettings(of running: DaemonConfig) {
        natsURL = running.natsURL
        natsResultsSubject = running.natsResultsSubject
        natsResultsStream = running.natsResultsStream
        natsInputStream = running.natsInputStream
        natsInputConsumer = running.natsInputConsumer
        natsCredentials = running.natsCredentials
        natsTLSCA = running.natsTLSCA
        natsTLSCertificate = running.natsTLSCertificate
        natsTLSKey = running.natsTLSKey
    }
}
