// The draft-2019 formats (iri, idn-email, duration...) appear in no Kubernetes schema
// that kubernetes-models validates (only byte, int32, int64, double, quantity, date-time),
// so the bundle leaves them and their URI parser out.
export default {};
