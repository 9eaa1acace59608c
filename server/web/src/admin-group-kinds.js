// A group's kind in words, as the API's kinds (common.schema.json's group_kind).
export const KIND_WORDS = {
  community: 'Community group',
  charity: 'Charity',
  school: 'School',
  commercial: 'Business',
  council: 'Council',
};
