// The GraphQL operations the explorer sends (named, so the audit trail says what each request was for).

const NETWORK_FIELDS = `nodes { id kind label truncated agencies nameWithheld heldElsewhere { agency { code name } contact } }
    edges { source target kind evidence } truncated`;

export const NETWORK = `query ExplorerNetwork($id: ID!, $hops: Int!, $kinds: [NetworkEdgeKind!]) {
  network(personId: $id, hops: $hops, kinds: $kinds) { ${NETWORK_FIELDS} } }`;

export const PATH = `query ExplorerPath($from: ID!, $to: ID!, $hops: Int!, $kinds: [NetworkEdgeKind!]) {
  path(from: $from, to: $to, maxHops: $hops, kinds: $kinds) { ${NETWORK_FIELDS} } }`;

export const SEARCH = `query ExplorerSearch($givenName: String, $familyName: String, $dob: String, $postcode: String,
    $identifier: IdentifierInput) {
  searchPeople(givenName: $givenName, familyName: $familyName, dob: $dob, postcode: $postcode,
      identifier: $identifier, first: 20) {
    totalCount
    edges { node { score weight person { id givenName familyName dob agenciesInvolved { code name }
      heldElsewhere { agency { code name } contact } currentAddress { postcode } } } } } }`;

const ADDRESS = 'display postcode placeholder';

export const PERSON = `query ExplorerPerson($id: ID!) {
  person(id: $id) {
    id givenName middleNames familyName dob sex aliases breakGlass
    resolution { kind requestedId successorIds }
    currentAddress { ${ADDRESS} }
    addressHistory { address { ${ADDRESS} } from to current sources }
    identifiers { scheme value valid sources }
    agenciesInvolved { code name contact }
    heldElsewhere { agency { code name } contact since }
    provenance { field recordIds sources }
    recordCount
    records(first: 100) { totalCount edges { node {
      id source sourceId recordedAt category givenName middleNames familyName dob sex
      agency { code name }
      addresses { address { ${ADDRESS} } from to current }
      phones { number kind } emails school { urn name } flags
      identifiers { scheme value valid }
      relationships { type outgoing person { id } }
    } } }
    household { id size address { ${ADDRESS} } }
    links(first: 100) { totalCount edges { node {
      a { id source sourceId } b { id source sourceId } weight probability blockingRules cannotLink
      explanation { comparison level weight } } } }
  } }`;

export const HOUSEHOLD = `query ExplorerHousehold($id: ID!) {
  household(id: $id) {
    id size address { ${ADDRESS} }
    addressHistory { address { ${ADDRESS} } from to current sources }
    members(first: 100) { totalCount edges { node { evidence person { id givenName familyName dob } } } }
  } }`;
