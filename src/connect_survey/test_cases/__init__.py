"""Amazon Connect test cases (`testcases/*.json`): one file per case, with CreateTestCase's keys.

The same file runs offline (`connect-survey test`, the simulator) and on the instance (the stack
deploys it as `AWS::Connect::TestCase`; `connect-survey verify --live-tests` runs it). Files
name the stage's resources by reference (`{{flow:KEY}}`, `{{function:score}}`,
`{{queue:NAME}}`); each runtime resolves them to its own ARNs.
"""
