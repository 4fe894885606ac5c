@req:SHOP-1
Feature: The shop a filled checklist names

  @SHOP-1 @manual
  Scenario: The logo is sharp
    Given the home page:
      | size | 32 |
    When she looks at the logo
    Then it is sharp

  @SHOP-2 @manual @req:PAY-7
  Scenario Outline: She pays with <card>
    Then the payment says <word>

    Examples:
      | card | word |
      | visa | yes  |
      | amex | no   |

  Rule: Refunds
    @SHOP-3
    Scenario: A refund is automated
      Given an order
      Then it can be refunded
