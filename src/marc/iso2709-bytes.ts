/** The ISO 2709 structural bytes and sizes, named once. */
export const enum Iso2709 {
  SubfieldDelimiter = 0x1f,
  FieldTerminator = 0x1e,
  RecordTerminator = 0x1d,
  LeaderLength = 24,
  DirectoryEntryLength = 12,
  MaxRecordLength = 99999,
}
