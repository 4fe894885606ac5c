@req:AUTH
Feature: Signing in
  Customers sign in with their e-mail address and password to reach their account and orders.
  Repeated wrong passwords lock the account, and an idle session ends on its own so an unattended device does not stay signed in.

  Background:
    Given a verified customer "alice" with e-mail "alice@example.test" and password "s3cret-Pass"

  Rule: Only the correct password opens a session

    @AUTH-SI-001 @req:AUTH-1
    Scenario: Customer signs in with the correct password
      When the customer signs in with e-mail "alice@example.test" and password "s3cret-Pass"
      Then the customer is signed in as "alice"

    @AUTH-SI-002 @req:AUTH-1
    Scenario Outline: Sign-in with a wrong password or an unknown e-mail is refused
      When the customer signs in with e-mail "<email>" and password "<password>"
      Then the customer is told "E-mail or password is incorrect"
      And the customer is not signed in

      Examples:
        | email               | password    |
        | alice@example.test  | wrong-Pass  |
        | alice@example.test  | S3CRET-PASS |
        | nobody@example.test | s3cret-Pass |

  Rule: Five failed sign-in attempts in a row lock the account

    @AUTH-SI-003 @req:AUTH-2
    Scenario: Account is locked after 5 failed sign-in attempts
      Given the customer has failed to sign in 5 times in a row
      When the customer signs in with e-mail "alice@example.test" and password "s3cret-Pass"
      Then the customer is told "Your account is locked"
      And the customer is not signed in

    @AUTH-SI-004 @req:AUTH-2
    Scenario: Four failed sign-in attempts do not lock the account
      Given the customer has failed to sign in 4 times in a row
      When the customer signs in with e-mail "alice@example.test" and password "s3cret-Pass"
      Then the customer is signed in as "alice"

  Rule: A session ends after 30 minutes without activity

    @AUTH-SI-005 @req:AUTH-3
    Scenario: Session expires after 30 minutes without activity
      Given "alice" is signed in
      And 31 minutes have passed
      When the customer opens the order history
      Then the customer is asked to sign in again

    @AUTH-SI-006 @req:AUTH-3
    Scenario: Activity within 30 minutes keeps the session alive
      Given "alice" is signed in
      And 20 minutes have passed
      And the customer has opened the order history
      When 20 minutes pass
      Then the customer is signed in as "alice"
