@req:PAY
Feature: Checkout with a saved card
  A returning customer pays for the cart with a card saved on the account.
  Money is only taken together with a created order, and a refused payment never leaves the customer charged or the cart lost.

  Background:
    Given a verified customer "alice" with a saved card ending in "4242"
    And "alice" is signed in

  Rule: A captured payment always comes with an order and a confirmation

    @PAY-CC-014 @req:PAY-7 @req:PAY-10
    Scenario: Returning user completes a purchase using a saved card
      Given the cart holds 1 "Coffee beans 1kg"
      When the customer checks out with the saved card
      Then an order is created with payment status "captured"
      And the customer receives an e-mail "Your order is confirmed" within 2 minutes
      And the cart is empty

    @PAY-CC-017 @req:PAY-11
    Scenario: Order API reports the captured payment
      Given the cart holds 1 "Coffee beans 1kg"
      And the customer has checked out with the saved card
      When I send a GET request to "/api/orders/latest"
      Then the response status should be 200
      And the response JSON at "$.payment_status" should be "captured"

  Rule: A failed checkout never charges the customer

    @PAY-CC-015 @req:PAY-8
    Scenario: Declined saved card is reported and the cart is kept
      Given the cart holds 1 "Coffee beans 1kg"
      And the card issuer declines the card ending in "4242"
      When the customer checks out with the saved card
      Then an order is created with payment status "declined"
      And no money is taken from the card ending in "4242"
      And the customer is told "Your card was declined"
      And the cart holds 1 "Coffee beans 1kg"

    @PAY-CC-016 @req:PAY-9
    Scenario: Checkout with an empty cart is refused
      Given the cart is empty
      When the customer checks out with the saved card
      Then the customer is told "Your cart is empty"
      And no order is created
