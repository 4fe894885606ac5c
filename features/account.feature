@req:ACC
Feature: Changing the e-mail address
  A customer may move the account to a new e-mail address, but the change only takes effect once the new address is proven.
  The verification link is valid for 15 minutes; until the change is verified the old address stays in use and the customer is reminded to verify.

  Background:
    Given a verified customer "alice" with e-mail "alice@example.test"
    And "alice" is signed in

  Rule: A new e-mail address takes effect only once it is verified within 15 minutes

    @ACC-EM-001 @req:ACC-1
    Scenario: Changing the e-mail address sends a verification e-mail to the new address
      When the customer changes the e-mail address to "alice.new@example.test"
      Then an e-mail "Confirm your new e-mail address" arrives at "alice.new@example.test" within 2 minutes
      And the account e-mail address is "alice@example.test"

    @ACC-EM-002 @req:ACC-1 @req:ACC-2
    Scenario: Verification link confirms the new address
      Given the customer has changed the e-mail address to "alice.new@example.test"
      When the customer follows the verification link sent to "alice.new@example.test"
      Then the account e-mail address is "alice.new@example.test"
      And no warning banner is shown

    @ACC-EM-003 @req:ACC-1
    Scenario: Verification link still works just before 15 minutes pass
      Given the customer has changed the e-mail address to "alice.new@example.test"
      And 14 minutes have passed
      When the customer follows the verification link sent to "alice.new@example.test"
      Then the account e-mail address is "alice.new@example.test"

    @ACC-EM-004 @req:ACC-1
    Scenario: Verification link expires after 15 minutes and the old address is kept
      Given the customer has changed the e-mail address to "alice.new@example.test"
      And 16 minutes have passed
      When the customer follows the verification link sent to "alice.new@example.test"
      Then the customer is told "This verification link has expired"
      And the account e-mail address is "alice@example.test"

  Rule: Until the new address is verified the customer is reminded to verify it

    @ACC-EM-005 @req:ACC-2
    Scenario: Warning banner is shown while the new address is unverified
      Given the customer has changed the e-mail address to "alice.new@example.test"
      And 10 minutes have passed
      When the customer opens the account page
      Then the warning banner "Please verify your new e-mail address" is shown
      And the account e-mail address is "alice@example.test"
